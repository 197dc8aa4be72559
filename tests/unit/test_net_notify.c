/* Unit tests of the sd_notify equivalent (src/net/notify.c): real datagrams to
 * a socket the test binds, by path and in the abstract namespace; watchdog
 * settings; malformed values refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include "net/notify.h"

/* A receiving socket at `name` (a path, or '@' + abstract name). */
static int bind_receiver(const char *name)
{
	struct sockaddr_un sa;
	socklen_t len;
	size_t n = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, n);
	if (name[0] == '@') {
		sa.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	else {
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	return fd;
}

static void recv_expect(int fd, const char *want)
{
	char buf[256];
	ssize_t r = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	assert_true(r >= 0);
	buf[r] = '\0';
	assert_string_equal(buf, want);
}

static void path_socket(void **state)
{
	char dir[] = "/tmp/ds-notify-XXXXXX", path[64];
	struct ds_notify nt;
	int fd;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = bind_receiver(path);
	ds_notify_init(&nt);
	assert_int_equal(ds_notify_open(&nt, path, NULL, NULL, getpid()), 0);
	assert_true(nt.fd >= 0);
	assert_int_equal(nt.watchdog_ms, 0);
	assert_int_equal(ds_notify_send(&nt, "READY=1"), 0);
	assert_int_equal(ds_notify_send(&nt, "STATUS=2 agents: SiteX 2"), 0);
	recv_expect(fd, "READY=1");
	recv_expect(fd, "STATUS=2 agents: SiteX 2");
	ds_notify_close(&nt);
	assert_int_equal(nt.fd, -1);
	/* closed: sending is a no-op that succeeds, and nothing arrives */
	assert_int_equal(ds_notify_send(&nt, "STOPPING=1"), 0);
	{
		char c;
		assert_int_equal(recv(fd, &c, 1, MSG_DONTWAIT), -1);
	}
	close(fd);
	unlink(path);
	rmdir(dir);
}

static void abstract_socket(void **state)
{
	char name[64];
	struct ds_notify nt;
	int fd;
	(void)state;

	snprintf(name, sizeof(name), "@ds-notify-test-%ld", (long)getpid());
	fd = bind_receiver(name);
	ds_notify_init(&nt);
	assert_int_equal(ds_notify_open(&nt, name, NULL, NULL, getpid()), 0);
	assert_int_equal(ds_notify_send(&nt, "STOPPING=1"), 0);
	recv_expect(fd, "STOPPING=1");
	ds_notify_close(&nt);
	close(fd);
}

static void nobody_listening(void **state)
{
	struct ds_notify nt;
	(void)state;

	ds_notify_init(&nt);
	assert_int_equal(ds_notify_open(&nt, "/nonexistent/ds-notify", NULL, NULL, 1), 0);
	/* the error of sendto() is reported, not swallowed */
	assert_int_equal(ds_notify_send(&nt, "READY=1"), ENOENT);
	ds_notify_close(&nt);
}

static void unset_is_off(void **state)
{
	struct ds_notify nt;
	(void)state;

	ds_notify_init(&nt);
	assert_int_equal(ds_notify_open(&nt, NULL, "1000000", NULL, 1), 0);
	assert_int_equal(nt.fd, -1);
	assert_int_equal(ds_notify_open(&nt, "", NULL, NULL, 1), 0);
	assert_int_equal(nt.fd, -1);
	assert_int_equal(ds_notify_send(&nt, "READY=1"), 0);
}

static void bad_socket_names(void **state)
{
	static const char *bad[] = {"relative/path", "notify", "@", "/"};
	char longname[200];
	struct ds_notify nt;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ds_notify_init(&nt);
		assert_int_equal(ds_notify_open(&nt, bad[i], NULL, NULL, 1), EINVAL);
		assert_int_equal(nt.fd, -1);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(ds_notify_open(&nt, longname, NULL, NULL, 1), EINVAL);
	assert_int_equal(nt.fd, -1);
}

static void watchdog(void **state)
{
	struct ds_notify nt;
	(void)state;

	ds_notify_init(&nt);
	/* half of WATCHDOG_USEC */
	assert_int_equal(ds_notify_open(&nt, "/run/x", "30000000", NULL, 42), 0);
	assert_int_equal(nt.watchdog_ms, 15000);
	assert_int_equal(ds_notify_open(&nt, "/run/x", "30000000", "42", 42), 0);
	assert_int_equal(nt.watchdog_ms, 15000);
	/* another process's watchdog */
	assert_int_equal(ds_notify_open(&nt, "/run/x", "30000000", "43", 42), 0);
	assert_int_equal(nt.watchdog_ms, 0);
	/* a tiny interval still pings */
	assert_int_equal(ds_notify_open(&nt, "/run/x", "1", NULL, 42), 0);
	assert_int_equal(nt.watchdog_ms, 1);
	/* malformed: refused, the socket kept, the watchdog off */
	assert_int_equal(ds_notify_open(&nt, "/run/x", "30s", NULL, 42), EINVAL);
	assert_true(nt.fd >= 0);
	assert_int_equal(nt.watchdog_ms, 0);
	assert_int_equal(ds_notify_open(&nt, "/run/x", "0", NULL, 42), EINVAL);
	assert_int_equal(ds_notify_open(&nt, "/run/x", "-5", NULL, 42), EINVAL);
	assert_int_equal(ds_notify_open(&nt, "/run/x", "1000", "pid", 42), EINVAL);
	ds_notify_close(&nt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(path_socket),
		cmocka_unit_test(abstract_socket),
		cmocka_unit_test(nobody_listening),
		cmocka_unit_test(unset_is_off),
		cmocka_unit_test(bad_socket_names),
		cmocka_unit_test(watchdog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
