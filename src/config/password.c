/* SIP passwords: where they come from (environment, file, or written in the
 * configuration, which is warned about) and reading them. A password is
 * never copied into a diagnostic: messages name the variable or the file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "config_int.h"

void ds_cfg_password_check(struct ds_loader *L, struct ds_person *p,
			   const char *path)
{
	struct stat st;

	switch (p->pw_source) {
	case DS_PW_NONE:
	case DS_PW_ENV:
		break;
	case DS_PW_INLINE:
		ds_ld_warn(L, &p->pw_loc, path,
			   "the SIP password is written in the configuration; "
			   "use password-env or password-file so it stays out of the file");
		break;
	case DS_PW_FILE:
		/* docs/behaviour.md §2.3 rule 10. A file that is missing now may appear
		 * before `run`, which reports it then. */
		if (stat(p->pw_ref, &st) == 0 && (st.st_mode & 077))
			ds_ld_warn(L, &p->pw_loc, path,
				   "password file '%s' is accessible to group or others "
				   "(mode %04o); restrict it with chmod 600",
				   p->pw_ref, (unsigned)(st.st_mode & 07777));
		break;
	}
}

/* The password file's first line, without its line ending. */
static int read_pw_file(const char *file, char *buf, size_t sz, size_t *len)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	int err = 0;

	if (fd < 0)
		return errno;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		if (r == 0 || c == '\n')
			break;
		if (n + 1 >= sz) {
			err = ENOBUFS;
			break;
		}
		buf[n++] = c;
	}
	close(fd);
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return err;
}

int ds_person_password(const struct ds_person *p, char *buf, size_t sz,
		       struct ds_diags *diags)
{
	const char *key = p->pw_source == DS_PW_ENV ? "password-env" :
			  p->pw_source == DS_PW_FILE ? "password-file" : "password";
	char path[512];
	size_t len = 0;
	int err;

	if (!sz)
		return EINVAL;
	buf[0] = '\0';
	snprintf(path, sizeof(path), "persons/%s/sip/%s", p->name, key);
	switch (p->pw_source) {
	case DS_PW_NONE:
		return 0;   /* a registrar without authentication */
	case DS_PW_INLINE:
		len = strlen(p->pw_ref);
		if (len >= sz)
			goto toolong;
		memcpy(buf, p->pw_ref, len + 1);
		return 0;
	case DS_PW_ENV: {
		const char *v = getenv(p->pw_ref);

		if (!v) {
			ds_diag_add(diags, DS_SEV_ERROR, &p->pw_loc, path,
				    "environment variable %s is not set; it must hold "
				    "the SIP password of person '%s'", p->pw_ref, p->name);
			return ENOENT;
		}
		len = strlen(v);
		if (len >= sz)
			goto toolong;
		memcpy(buf, v, len + 1);
		return 0;
	}
	case DS_PW_FILE:
		err = read_pw_file(p->pw_ref, buf, sz, &len);
		if (err == ENOBUFS)
			goto toolong;
		if (err) {
			ds_diag_add(diags, DS_SEV_ERROR, &p->pw_loc, path,
				    "cannot read password file '%s' of person '%s': %s",
				    p->pw_ref, p->name, strerror(err));
			memset(buf, 0, sz);
			return err;
		}
		return 0;
	}
	return EINVAL;
toolong:
	memset(buf, 0, sz);
	ds_diag_add(diags, DS_SEV_ERROR, &p->pw_loc, path,
		    "the SIP password of person '%s' (from %s) is longer than %zu bytes",
		    p->name, key, sz - 1);
	return ENAMETOOLONG;
}
