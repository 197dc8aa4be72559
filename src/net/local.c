/* The local address our requests carry (Via, Contact, SDP) per destination.
 *
 * Listening on a wildcard (the default: every interface) leaves the source
 * address of each datagram to the kernel's routing; Via and Contact must
 * carry that very address, or the registrar binds a Contact nobody can
 * reach. We ask the kernel the way it does for a send: connect() a UDP
 * socket to the destination and read getsockname() (no packet leaves). The
 * answer is cached per destination address: the servers and SBCs are few,
 * requests many. `--advertise` replaces it all (NAT, an SBC in front); a
 * listen address that is not a wildcard is its own answer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "net_priv.h"

static int route_src(const struct sa *dst, struct sa *src)
{
	struct sa d = *dst;
	int fd, err = 0;

	fd = socket(sa_af(dst), SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (!sa_port(&d))
		sa_set_port(&d, 9);   /* connect() wants a port; none is used */
	sa_init(src, sa_af(dst));
	if (connect(fd, &d.u.sa, d.len) < 0 ||
	    getsockname(fd, &src->u.sa, &src->len) < 0)
		err = errno;
	close(fd);
	return err;
}

int ds_net_local(struct ds_net *n, const struct sa *dst, uint16_t port, struct sa *out)
{
	struct net_local *c;
	int err;

	/* one listen address family: an IPv4 server from [::] (or the reverse)
	 * cannot be reached, whatever is advertised */
	if (dst && sa_isset(dst, SA_ADDR) && sa_af(dst) != sa_af(&n->laddr))
		return EAFNOSUPPORT;
	if (sa_isset(&n->advertise, SA_ADDR)) {
		*out = n->advertise;
		if (!sa_port(out))
			sa_set_port(out, port);
		return 0;
	}
	if (!sa_is_any(&n->laddr) || !dst || !sa_isset(dst, SA_ADDR)) {
		*out = n->laddr;
		sa_set_port(out, port);
		return 0;
	}
	for (size_t i = 0; i < n->n_local; i++)
		if (sa_cmp(&n->local[i].dst, dst, SA_ADDR)) {
			*out = n->local[i].src;
			sa_set_port(out, port);
			return 0;
		}
	c = realloc(n->local, (n->n_local + 1) * sizeof(*n->local));
	if (!c)
		return ENOMEM;
	n->local = c;
	c = &n->local[n->n_local];
	err = route_src(dst, &c->src);
	if (err)
		return err;
	c->dst = *dst;
	n->n_local++;
	*out = c->src;
	sa_set_port(out, port);
	return 0;
}

/* What to do about a request that could not be sent, by errno. */
static const char *send_hint(int err)
{
	switch (err) {
	case EINVAL:
	case EADDRNOTAVAIL:
		return "SIP listens on an address that cannot send there: run with "
		       "--listen on an address that reaches it, or without --listen "
		       "(every interface)";
	case EAFNOSUPPORT:
		return "the destination's address family is not the listen address's: "
		       "--listen [::] for IPv6 servers, 0.0.0.0 for IPv4 ones";
	case ENETUNREACH:
	case EHOSTUNREACH:
		return "this host has no route there: check the network "
		       "(`ip route get ADDRESS`), or --listen on the interface that reaches it";
	case EACCES:
	case EPERM:
		return "a local firewall refuses the send: check its rules";
	default:
		return "check the network and the --listen/--advertise addresses";
	}
}

void ds_net_send_failed(struct ds_net *n, const char *what, const struct sa *dst, int err)
{
	for (size_t i = 0; i < n->n_said; i++)
		if (n->said[i] == err)
			return;
	if (n->n_said < sizeof(n->said) / sizeof(n->said[0]))
		n->said[n->n_said++] = err;
	ds_log(n, "%s to %J cannot be sent: %m; %s (said once per cause)", what, dst, err,
	       send_hint(err));
}
