/*
 * xmlcheck: a small, strict XML 1.0 well-formedness checker for the fuzz
 * targets and tests (no libxml2 needed): valid UTF-8, only XML Chars, tags
 * balanced and properly nested, attribute names unique per element,
 * attribute values quoted with no '<', every '&' a known entity or a
 * character reference to an XML Char, no "]]>" in text, one root element.
 * xml_check() returns NULL when well formed, else a static description;
 * on_attr (may be NULL) sees every attribute value, unescaped.
 */
#ifndef PG_FUZZ_XMLCHECK_H
#define PG_FUZZ_XMLCHECK_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

typedef void (*xml_attr_fn)(void *ctx, const char *elem, size_t elem_len, const char *name,
			    size_t name_len, const char *value, size_t value_len);

static bool xml_is_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* Decode one UTF-8 sequence at p (strict: no overlongs, no surrogates); 0 if invalid. */
static size_t xml_utf8(const unsigned char *p, size_t left, uint32_t *cp)
{
	size_t n;
	uint32_t v;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	} else if ((p[0] & 0xe0) == 0xc0) {
		n = 2, v = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3, v = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4, v = p[0] & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000) ||
	    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

static bool xml_name_start(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':';
}

static bool xml_name_char(unsigned char c)
{
	return xml_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static bool xml_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* An entity or character reference at s[*i] == '&'; appends its text to out. */
static const char *xml_ref(const char *s, size_t len, size_t *i, struct pg_buf *out)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
	size_t j = *i + 1;

	for (size_t k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
		size_t n = strlen(ents[k].name);
		if (len - j >= n && !memcmp(s + j, ents[k].name, n)) {
			pg_buf_addc(out, ents[k].c);
			*i = j + n;
			return NULL;
		}
	}
	if (j < len && s[j] == '#') {
		uint32_t v = 0;
		bool hex = j + 1 < len && s[j + 1] == 'x';
		size_t d = 0;
		for (j += hex ? 2 : 1; j < len && s[j] != ';'; j++, d++) {
			int c = (unsigned char)s[j];
			int dv = c >= '0' && c <= '9'	       ? c - '0'
				 : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
				 : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
							       : -1;
			if (dv < 0 || d > 8)
				return "bad character reference";
			v = v * (hex ? 16 : 10) + (uint32_t)dv;
		}
		if (j >= len || !d || !xml_is_char(v))
			return "bad character reference";
		/* Enough for the checks: keep ASCII, mark the rest. */
		pg_buf_addc(out, v < 0x80 ? (char)v : '?');
		*i = j + 1;
		return NULL;
	}
	return "'&' that is not an entity reference";
}

static const char *xml_check(const char *s, size_t len, xml_attr_fn on_attr, void *ctx)
{
	const char *why = NULL;
	const char *stack[64];
	size_t stack_len[64], depth = 0, roots = 0, i = 0;
	struct pg_buf val = PG_BUF_INIT;

	for (size_t k = 0; k < len;) {
		uint32_t cp;
		size_t n = xml_utf8((const unsigned char *)s + k, len - k, &cp);
		if (!n)
			return "invalid UTF-8";
		if (!xml_is_char(cp))
			return "character not allowed in XML 1.0";
		k += n;
	}
	if (len >= 5 && !memcmp(s, "<?xml", 5)) {
		const char *e = memmem(s, len, "?>", 2);
		if (!e)
			return "unterminated XML declaration";
		i = (size_t)(e - s) + 2;
	}
	while (i < len) {
		if (s[i] != '<') {
			if (!depth && !xml_space((unsigned char)s[i])) {
				why = "text outside the root element";
				goto done;
			}
			if (s[i] == '&') {
				pg_buf_reset(&val);
				if ((why = xml_ref(s, len, &i, &val)))
					goto done;
				continue;
			}
			if (s[i] == '>' && i >= 2 && s[i - 1] == ']' && s[i - 2] == ']') {
				why = "']]>' in text";
				goto done;
			}
			i++;
			continue;
		}
		if (len - i >= 4 && !memcmp(s + i, "<!--", 4)) {
			const char *e = memmem(s + i + 4, len - i - 4, "--", 2);
			if (!e || (size_t)(e - s) + 2 >= len || e[2] != '>') {
				why = "bad comment";
				goto done;
			}
			i = (size_t)(e - s) + 3;
			continue;
		}
		if (len - i >= 9 && !memcmp(s + i, "<![CDATA[", 9)) {
			const char *e = memmem(s + i + 9, len - i - 9, "]]>", 3);
			if (!e || !depth) {
				why = "bad CDATA section";
				goto done;
			}
			i = (size_t)(e - s) + 3;
			continue;
		}
		if (i + 1 < len && s[i + 1] == '/') {
			size_t b = i + 2, e = b;
			while (e < len && xml_name_char((unsigned char)s[e]))
				e++;
			if (!depth || e - b != stack_len[depth - 1] ||
			    memcmp(s + b, stack[depth - 1], e - b)) {
				why = "end tag does not match the open element";
				goto done;
			}
			while (e < len && xml_space((unsigned char)s[e]))
				e++;
			if (e >= len || s[e] != '>') {
				why = "bad end tag";
				goto done;
			}
			depth--;
			i = e + 1;
			continue;
		}
		/* start tag */
		size_t b = i + 1, e = b;
		if (b >= len || !xml_name_start((unsigned char)s[b])) {
			why = "bad element name";
			goto done;
		}
		while (e < len && xml_name_char((unsigned char)s[e]))
			e++;
		const char *elem = s + b;
		size_t elem_len = e - b;
		const char *attrs[32];
		size_t attr_len[32], nattrs = 0;
		i = e;
		for (;;) {
			size_t ws = i;
			while (i < len && xml_space((unsigned char)s[i]))
				i++;
			if (i >= len) {
				why = "unterminated start tag";
				goto done;
			}
			if (s[i] == '>' || (s[i] == '/' && i + 1 < len && s[i + 1] == '>'))
				break;
			if (ws == i || !xml_name_start((unsigned char)s[i])) {
				why = "bad attribute";
				goto done;
			}
			size_t nb = i;
			while (i < len && xml_name_char((unsigned char)s[i]))
				i++;
			size_t nl = i - nb;
			for (size_t a = 0; a < nattrs; a++)
				if (attr_len[a] == nl && !memcmp(attrs[a], s + nb, nl)) {
					why = "duplicate attribute";
					goto done;
				}
			if (nattrs == 32) {
				why = "too many attributes";
				goto done;
			}
			attrs[nattrs] = s + nb;
			attr_len[nattrs++] = nl;
			while (i < len && xml_space((unsigned char)s[i]))
				i++;
			if (i >= len || s[i] != '=') {
				why = "attribute without '='";
				goto done;
			}
			i++;
			while (i < len && xml_space((unsigned char)s[i]))
				i++;
			if (i >= len || (s[i] != '"' && s[i] != '\'')) {
				why = "unquoted attribute value";
				goto done;
			}
			char q = s[i++];
			pg_buf_reset(&val);
			while (i < len && s[i] != q) {
				if (s[i] == '<') {
					why = "'<' in attribute value";
					goto done;
				}
				if (s[i] == '&') {
					if ((why = xml_ref(s, len, &i, &val)))
						goto done;
					continue;
				}
				pg_buf_addc(&val, s[i++]);
			}
			if (i >= len) {
				why = "unterminated attribute value";
				goto done;
			}
			i++;
			if (on_attr)
				on_attr(ctx, elem, elem_len, s + nb, nl, val.data ? val.data : "",
					val.len);
		}
		if (!depth && roots++) {
			why = "more than one root element";
			goto done;
		}
		if (s[i] == '/') {
			i += 2;
			continue;
		}
		if (depth == 64) {
			why = "nested too deep";
			goto done;
		}
		stack[depth] = elem;
		stack_len[depth++] = elem_len;
		i++;
	}
	if (depth)
		why = "unclosed element";
	else if (!roots)
		why = "no root element";
done:
	pg_buf_release(&val);
	return why;
}
#endif
