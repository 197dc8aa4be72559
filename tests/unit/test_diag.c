/* Unit tests of diagnostics: text and JSON output, sorting, suggestions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "dualsite/diag.h"
#include "util/util.h"

/* Runs `print` on `d` into a string the caller frees. */
static char *render(const struct ds_diags *d, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (json)
		ds_diags_print_json(f, d);
	else
		ds_diags_print(f, d);
	fclose(f);
	return buf;
}

static void test_text_format(void **state)
{
	struct ds_diags d = { 0 };
	struct ds_loc loc = { "conf.yaml", 3, 5 };
	char *out;

	(void)state;
	ds_diag_add(&d, DS_SEV_ERROR, &loc, "persons/alice", "port %d is out of range", 70000);
	ds_diag_add(&d, DS_SEV_WARNING, &loc, "servers/SIP_X", "unknown key '%s'", "hots");
	assert_int_equal(d.n, 2);
	assert_int_equal(d.errors, 1);
	out = render(&d, false);
	assert_string_equal(out,
		"conf.yaml:3:5: error: persons/alice: port 70000 is out of range\n"
		"conf.yaml:3:5: warning: servers/SIP_X: unknown key 'hots'\n");
	free(out);
	ds_diags_reset(&d);
	assert_int_equal(d.n, 0);
	assert_int_equal(d.errors, 0);
	assert_null(d.v);
}

static void test_no_location(void **state)
{
	struct ds_diags d = { 0 };
	struct ds_loc fileonly = { "a.yaml", 0, 0 };
	char *out;

	(void)state;
	ds_diag_add(&d, DS_SEV_ERROR, &fileonly, "", "cannot read a.yaml");
	ds_diag_add(&d, DS_SEV_WARNING, NULL, NULL, "no file at all");
	out = render(&d, false);
	assert_string_equal(out,
		"a.yaml:0:0: error: -: cannot read a.yaml\n"
		"-:0:0: warning: -: no file at all\n");
	free(out);
	out = render(&d, true);
	assert_non_null(strstr(out, "\"file\": \"a.yaml\", \"line\": 0, \"column\": 0"));
	assert_non_null(strstr(out, "\"file\": null"));
	free(out);
	ds_diags_reset(&d);
}

/* The diagnostic keeps its own copy of the file name: the config it came
 * from may be freed before it is printed. */
static void test_file_is_copied(void **state)
{
	struct ds_diags d = { 0 };
	char *name = strdup("gone.yaml");
	struct ds_loc loc = { name, 1, 2 };
	char *out;

	(void)state;
	ds_diag_add(&d, DS_SEV_ERROR, &loc, "x", "m");
	memset(name, 'Z', strlen(name));
	free(name);
	out = render(&d, false);
	assert_string_equal(out, "gone.yaml:1:2: error: x: m\n");
	free(out);
	ds_diags_reset(&d);
}

static void test_text_escapes_newlines(void **state)
{
	struct ds_diags d = { 0 };
	struct ds_loc loc = { "f", 1, 1 };
	char *out;

	(void)state;
	ds_diag_add(&d, DS_SEV_WARNING, &loc, "a\nb", "key 'x\ty\001'");
	out = render(&d, false);
	assert_string_equal(out, "f:1:1: warning: a\\nb: key 'x\\ty\\x01'\n");
	free(out);
	ds_diags_reset(&d);
}

static void test_sort(void **state)
{
	struct ds_diags d = { 0 };
	struct ds_loc b9 = { "b.yaml", 9, 1 }, a10 = { "a.yaml", 10, 1 };
	struct ds_loc a2c7 = { "a.yaml", 2, 7 }, a2c3 = { "a.yaml", 2, 3 };

	(void)state;
	ds_diag_add(&d, DS_SEV_WARNING, &b9, "p", "m1");
	ds_diag_add(&d, DS_SEV_WARNING, &a10, "p", "m2");
	ds_diag_add(&d, DS_SEV_WARNING, &a2c7, "p", "zzz");
	ds_diag_add(&d, DS_SEV_ERROR, &a2c7, "p", "aaa");
	ds_diag_add(&d, DS_SEV_WARNING, &a2c3, "p", "m5");
	ds_diags_sort(&d);
	assert_int_equal(d.v[0].loc.col, 3);
	assert_string_equal(d.v[1].msg, "aaa");
	assert_string_equal(d.v[2].msg, "zzz");
	assert_int_equal(d.v[3].loc.line, 10);
	assert_string_equal(d.v[4].loc.file, "b.yaml");
	ds_diags_reset(&d);
}

static void test_json_escaping(void **state)
{
	struct ds_diags d = { 0 };
	struct ds_loc loc = { "dir/\"q\".yaml", 4, 2 };
	char *out;

	(void)state;
	ds_diag_add(&d, DS_SEV_ERROR, &loc, "persons/b\\o", "say \"hi\"\n\x01 caf\xc3\xa9 bad\xff!");
	out = render(&d, true);
	assert_string_equal(out,
		"{\"diagnostics\": [\n"
		"  {\"file\": \"dir/\\\"q\\\".yaml\", \"line\": 4, \"column\": 2, "
		"\"severity\": \"error\", \"path\": \"persons/b\\\\o\", "
		"\"message\": \"say \\\"hi\\\"\\n\\u0001 caf\xc3\xa9 bad\\ufffd!\"}\n"
		"]}\n");
	free(out);
	ds_diags_reset(&d);
	out = render(&d, true);
	assert_string_equal(out, "{\"diagnostics\": []}\n");
	free(out);
}

static void test_json_rejects_overlong_utf8(void **state)
{
	struct ds_diags d = { 0 };
	char *out;

	(void)state;
	/* An overlong '/' and a lone surrogate must not pass through. */
	ds_diag_add(&d, DS_SEV_WARNING, NULL, "p", "a\xc0\xaf" "b\xed\xa0\x80" "c");
	out = render(&d, true);
	assert_non_null(strstr(out, "\"a\\ufffd\\ufffdb\\ufffd\\ufffd\\ufffdc\""));
	free(out);
	ds_diags_reset(&d);
}

static void test_closest(void **state)
{
	static const char *const keys[] = {
		"kind", "host", "port", "transport", "backup", "switch", "options",
	};
	static const char *const sparse[] = { NULL, "Sales", NULL, "Support" };
	const size_t n = sizeof(keys) / sizeof(keys[0]);

	(void)state;
	assert_string_equal(ds_closest("hots", keys, n), "host");
	assert_string_equal(ds_closest("HOST", keys, n), "host");
	assert_string_equal(ds_closest("transprot", keys, n), "transport");
	assert_string_equal(ds_closest("port", keys, n), "port");
	assert_null(ds_closest("zzzzzz", keys, n));
	assert_null(ds_closest("x", keys, 0));
	assert_string_equal(ds_closest("Sale", sparse, 4), "Sales");
	assert_string_equal(ds_closest("Suport", sparse, 4), "Support");
}

/* Suggest only within max(2, len/3) edits. */
static void test_closest_threshold(void **state)
{
	static const char *const twelve[] = { "abcdefghijkl" };
	static const char *const short_[] = { "abc" };

	(void)state;
	assert_string_equal(ds_closest("abcdWXYZijkl", twelve, 1), "abcdefghijkl");
	assert_null(ds_closest("abcdVWXYZjkl", twelve, 1));
	assert_string_equal(ds_closest("xyc", short_, 1), "abc");
	assert_null(ds_closest("xyz", short_, 1));
}

/* The shared escaper: every JSON writer's strings go through it. */
static void test_json_str(void **state)
{
	static const char in[] = "q\"b\\n\nt\tc\x01\x1f" "\xc3\xa9" "bad\xff\xc0\xaf" "end";
	static const char want[] = "\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f" "\xc3\xa9"
				   "bad\\ufffd\\ufffd\\ufffdend\"";
	char buf[128], small[8], *mem = NULL;
	size_t n, len = 0;
	FILE *f;

	(void)state;
	n = ds_json_str(buf, sizeof(buf), in);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	/* like snprintf: the length it needs, a cut but terminated prefix */
	assert_int_equal(ds_json_str(NULL, 0, in), n);
	assert_int_equal(ds_json_str(small, sizeof(small), in), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, want, sizeof(small) - 1);
	assert_int_equal(ds_json_str(buf, sizeof(buf), ""), 2);
	assert_string_equal(buf, "\"\"");
	/* the stream form writes the same bytes */
	f = open_memstream(&mem, &len);
	assert_non_null(f);
	ds_json_fput(f, in);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(mem, want);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_format),
		cmocka_unit_test(test_no_location),
		cmocka_unit_test(test_file_is_copied),
		cmocka_unit_test(test_text_escapes_newlines),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_json_rejects_overlong_utf8),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_closest),
		cmocka_unit_test(test_closest_threshold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
