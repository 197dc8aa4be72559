/* What the commands share: the exit status of an input that did not load. */
#include <errno.h>
#include "cli.h"

int ds_cli_load_status(int err)
{
	switch (err) {
	case 0:
		return DS_EXIT_OK;
	case EINVAL:   /* read, but not valid (a YAML syntax error included) */
	case ENOMEM:   /* read, but could not be held: a failed run, not a bad input */
		return DS_EXIT_CONFIG;
	default:       /* ENOENT, EACCES, EIO, EISDIR...: the input cannot be read */
		return DS_EXIT_USAGE;
	}
}
