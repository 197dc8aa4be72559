/* libFuzzer harness for the framing of SIP over TCP (src/net/sipframe.c):
 * any bytes as a stream, read frame by frame as tcpfront.c reads them, whole
 * and in chunks; each whole request then gets the raw
 * checks of the UAS (start line, RFC 2543 branch, stateless answer). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <re.h>
#include "net/sipframe.h"
#include "net/sipraw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void message(const char *p, size_t len)
{
	const char *why = "";
	struct mbuf *mb;

	if (len > 4 && !memcmp(p, "SIP/", 4)) {
		(void)ds_sipraw_status_ok(p, ds_sipraw_eol(p, p + len));
		return;
	}
	if (ds_sipraw_start_line(p, ds_sipraw_eol(p, p + len), &why))
		return;
	mb = mbuf_alloc(len + 64);
	if (!mb)
		return;
	(void)mbuf_write_mem(mb, (const uint8_t *)p, len);
	mb->pos = 0;
	(void)ds_sipraw_add_branch(mb);
	mem_deref(mb);
	mb = mbuf_alloc(256);
	if (mb)
		(void)ds_sipraw_reply(mb, p, len, 400, "Bad Request", 1);
	mem_deref(mb);
}

/* The stream [data, data+size) arriving `chunk` bytes at a time. */
static void stream(const uint8_t *data, size_t size, size_t chunk)
{
	size_t have = 0, pos = 0;
	struct ds_sipframe f;

	while (have < size) {
		have = have + chunk < size ? have + chunk : size;
		for (;;) {
			const char *p = (const char *)data + pos;
			ds_sipframe_next(p, have - pos, &f);
			if (f.kind == DS_SIPFRAME_NEED)
				break;
			if (f.kind == DS_SIPFRAME_BAD) {
				if (f.head > have - pos || !f.why)
					__builtin_trap();
				return;
			}
			if (!f.len || f.len > have - pos || f.len > DS_SIPFRAME_MAX)
				__builtin_trap();
			if (f.kind == DS_SIPFRAME_MSG)
				message(p, f.len);
			pos += f.len;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* whole, then split as reads would split it (the input left intact,
	 * so that each seed is the message as sent) */
	stream(data, size, size ? size : 1);
	stream(data, size, size % 97 + 1);
	return 0;
}
