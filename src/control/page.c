/* GET / and its files: the status page (docs/status-page.md), embedded in
 * the binary at build time; it reads the state through the JSON routes. */
#include <string.h>
#include "control_priv.h"
#include "web.h"

void ds_ctl_page(const struct ctl_req *rq, struct ctl_resp *rs)
{
	for (unsigned i = 0; i < ds_web_n; i++) {
		const struct ds_web_file *f = &ds_web_files[i];

		if (strcmp(f->path, rq->seg[0]))
			continue;
		rs->status = 200;
		rs->ctype = f->ctype;
		ds_buf_put(&rs->body, f->data, f->len);
		return;
	}
	ds_ctl_error(rs, 404, "no such file of the status page: '/%s'", rq->seg[0]);
}
