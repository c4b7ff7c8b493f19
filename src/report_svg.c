#include "report_svg.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_H 16
#define TOP_PX 48   /* title, details line, buttons */
#define BOTTOM_PX 24
#define SIDE_PX 10
#define MIN_PX 0.1  /* narrower frames are not drawn */

/* ---- escaping ------------------------------------------------------------ */

/* Length of a valid UTF-8 sequence at p (1..4) and its code point, or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = p[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static void escape(struct pg_buf *out, const char *s, bool xml)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);

	while (p < end) {
		uint32_t cp;
		size_t n = utf8_seq(p, end, &cp);

		if (n == 0) {
			pg_buf_addf(out, "\\x%02X", *p++);
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0xfffe ||
		    cp == 0xffff) {
			size_t i;
			for (i = 0; i < n; i++)
				pg_buf_addf(out, "\\x%02X", p[i]);
			p += n;
			continue;
		}
		if (xml && cp == '&')
			pg_buf_adds(out, "&amp;");
		else if (xml && cp == '<')
			pg_buf_adds(out, "&lt;");
		else if (xml && cp == '>')
			pg_buf_adds(out, "&gt;");
		else if (xml && cp == '"')
			pg_buf_adds(out, "&quot;");
		else if (xml && cp == '\'')
			pg_buf_adds(out, "&apos;");
		else
			pg_buf_add(out, p, n);
		p += n;
	}
}

void pg_svg_escape(struct pg_buf *out, const char *s)
{
	escape(out, s, true);
}

void pg_text_visible(struct pg_buf *out, const char *s)
{
	escape(out, s, false);
}

void pg_svg_format_cost(struct pg_buf *out, double cost, const char *unit)
{
	double a = fabs(cost);

	if (!strcmp(unit, "ns")) {
		if (a >= 1e9)
			pg_buf_addf(out, "%.3g s", cost / 1e9);
		else if (a >= 1e6)
			pg_buf_addf(out, "%.3g ms", cost / 1e6);
		else if (a >= 1e3)
			pg_buf_addf(out, "%.3g us", cost / 1e3);
		else
			pg_buf_addf(out, "%.3g ns", cost);
	} else {
		pg_buf_addf(out, "%.4g %s", cost, unit);
	}
}

/* ---- the frame tree ---------------------------------------------------- */

struct node {
	uint32_t name;        /* id in tree.names */
	uint32_t parent, child, next; /* UINT32_MAX = none */
	uint32_t depth;
	double total[2], self[2]; /* per run: [0] before, [1] after (or the one profile) */
};

struct tree {
	struct pg_prof names;
	struct node *nodes;
	size_t nr, alloc;
	uint32_t *ht;  /* (parent, name) -> node */
	size_t ht_size;
	uint32_t max_depth;
};

#define NONE UINT32_MAX

static uint64_t key_hash(uint32_t parent, uint32_t name)
{
	uint64_t k = ((uint64_t)parent << 32) | name;

	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return k;
}

static void tree_rehash(struct tree *t)
{
	size_t n = t->ht_size ? t->ht_size * 2 : 1024, i;

	free(t->ht);
	t->ht = pg_xmalloc(n * sizeof(*t->ht));
	memset(t->ht, 0xff, n * sizeof(*t->ht));
	t->ht_size = n;
	for (i = 1; i < t->nr; i++) {
		size_t h = key_hash(t->nodes[i].parent, t->nodes[i].name) & (n - 1);
		while (t->ht[h] != NONE)
			h = (h + 1) & (n - 1);
		t->ht[h] = (uint32_t)i;
	}
}

static uint32_t tree_child(struct tree *t, uint32_t parent, uint32_t name)
{
	size_t h;
	struct node *n;

	if ((t->nr + 1) * 2 > t->ht_size)
		tree_rehash(t);
	h = key_hash(parent, name) & (t->ht_size - 1);
	while (t->ht[h] != NONE) {
		n = &t->nodes[t->ht[h]];
		if (n->parent == parent && n->name == name)
			return t->ht[h];
		h = (h + 1) & (t->ht_size - 1);
	}
	PG_GROW(t->nodes, t->nr + 1, t->alloc);
	n = &t->nodes[t->nr];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->parent = parent;
	n->child = NONE;
	n->depth = t->nodes[parent].depth + 1;
	if (n->depth > t->max_depth)
		t->max_depth = n->depth;
	/* children kept in insertion order is fine: layout sorts them by name */
	n->next = t->nodes[parent].child;
	t->nodes[parent].child = (uint32_t)t->nr;
	t->ht[h] = (uint32_t)t->nr;
	return (uint32_t)t->nr++;
}

static void tree_init(struct tree *t)
{
	memset(t, 0, sizeof(*t));
	pg_prof_init(&t->names, PG_PROF_SAMPLES);
	PG_GROW(t->nodes, 1, t->alloc);
	memset(&t->nodes[0], 0, sizeof(t->nodes[0]));
	t->nodes[0].name = pg_prof_intern(&t->names, "all", 3);
	t->nodes[0].parent = t->nodes[0].child = t->nodes[0].next = NONE;
	t->nr = 1;
}

static void tree_add(struct tree *t, const struct pg_prof *p, int side)
{
	uint32_t *map = pg_xmalloc((p->nr_frames ? p->nr_frames : 1) * sizeof(*map));
	double scale = pg_prof_per_run(p, 1.0);
	size_t i;

	for (i = 0; i < p->nr_frames; i++)
		map[i] = pg_prof_intern(&t->names, p->frames[i], strlen(p->frames[i]));
	for (i = 0; i < p->nr_stacks; i++) {
		const struct pg_prof_stack *s = &p->stacks[i];
		double w = s->weight * scale;
		uint32_t d, at = 0;

		if (w <= 0)
			continue;
		t->nodes[0].total[side] += w;
		for (d = 0; d < s->depth && d < PG_SVG_MAX_DEPTH; d++) {
			at = tree_child(t, at, map[s->frames[d]]);
			t->nodes[at].total[side] += w;
		}
		t->nodes[at].self[side] += w;
	}
	free(map);
}

static void tree_release(struct tree *t)
{
	pg_prof_release(&t->names);
	free(t->nodes);
	free(t->ht);
}

/* ---- rendering ------------------------------------------------------------ */

struct render {
	struct tree *t;
	struct pg_buf *out;
	bool diff;
	const char *unit;
	double scale_px;  /* px per cost unit */
	double max_delta; /* largest |self change| per run (diff) */
	unsigned height_px;
	size_t drawn;
};

static void fill_plain(struct pg_buf *out, const char *name)
{
	/* a warm colour from the name, stable across runs */
	uint32_t h = 2166136261u;
	const unsigned char *p = (const unsigned char *)name;

	while (*p)
		h = (h ^ *p++) * 16777619u;
	pg_buf_addf(out, "rgb(%u,%u,%u)", 205 + (h % 50), 80 + ((h >> 8) % 130), (h >> 16) % 55);
}

static void fill_diff(struct pg_buf *out, double delta, double max)
{
	double t = max > 0 ? fabs(delta) / max : 0;
	unsigned c = (unsigned)lround(235 - 200 * (t > 1 ? 1 : t));

	if (delta > 0)
		pg_buf_addf(out, "rgb(255,%u,%u)", c, c);
	else if (delta < 0)
		pg_buf_addf(out, "rgb(%u,%u,255)", c, c);
	else
		pg_buf_adds(out, "rgb(235,235,235)");
}

static void pct(struct pg_buf *out, double before, double after)
{
	if (before > 0)
		pg_buf_addf(out, " (%+.1f%%)", (after - before) / before * 100);
	else if (after > 0)
		pg_buf_adds(out, " (new)");
}

static void draw(struct render *r, uint32_t id, double x)
{
	const struct node *n = &r->t->nodes[id];
	const char *name = pg_prof_name(&r->t->names, n->name);
	int side = r->diff ? 1 : 0;
	double w = n->total[side], root = r->t->nodes[0].total[side];
	double px = w * r->scale_px, x_px = SIDE_PX + x * r->scale_px;
	double y = r->height_px - BOTTOM_PX - (double)(n->depth + 1) * FRAME_H;
	uint32_t *kids = NULL, c;
	size_t nk = 0, ak = 0, i;
	struct pg_buf *o = r->out;

	if (px < MIN_PX)
		return;
	r->drawn++;
	pg_buf_addf(o, "<g class=\"f\" data-x=\"%.17g\" data-w=\"%.17g\" data-d=\"%u\"><title>", x, w,
		    n->depth);
	pg_svg_escape(o, name);
	pg_buf_adds(o, "\n");
	if (!r->diff) {
		pg_svg_format_cost(o, w, r->unit);
		pg_buf_addf(o, " per run, %.2f%%; self ", root > 0 ? w / root * 100 : 0);
		pg_svg_format_cost(o, n->self[0], r->unit);
	} else {
		pg_buf_adds(o, "total ");
		pg_svg_format_cost(o, n->total[0], r->unit);
		pg_buf_adds(o, " -> ");
		pg_svg_format_cost(o, n->total[1], r->unit);
		pct(o, n->total[0], n->total[1]);
		pg_buf_adds(o, " per run\nself ");
		pg_svg_format_cost(o, n->self[0], r->unit);
		pg_buf_adds(o, " -> ");
		pg_svg_format_cost(o, n->self[1], r->unit);
		pg_buf_adds(o, ", change ");
		if (n->self[1] - n->self[0] > 0)
			pg_buf_addc(o, '+');
		pg_svg_format_cost(o, n->self[1] - n->self[0], r->unit);
	}
	pg_buf_addf(o, "</title><rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" fill=\"", x_px,
		    y, px, FRAME_H - 1);
	if (r->diff)
		fill_diff(o, n->self[1] - n->self[0], r->max_delta);
	else
		fill_plain(o, name);
	pg_buf_addf(o, "\" rx=\"2\"/><text x=\"%.1f\" y=\"%.0f\"></text></g>\n", x_px + 3,
		    y + FRAME_H - 4);

	/* children left to right by name, as FlameGraph does */
	for (c = n->child; c != NONE; c = r->t->nodes[c].next) {
		PG_GROW(kids, nk + 1, ak);
		kids[nk++] = c;
	}
	for (i = 1; i < nk; i++) {
		uint32_t k = kids[i];
		size_t j = i;
		while (j > 0 && strcmp(pg_prof_name(&r->t->names, r->t->nodes[kids[j - 1]].name),
				       pg_prof_name(&r->t->names, r->t->nodes[k].name)) > 0) {
			kids[j] = kids[j - 1];
			j--;
		}
		kids[j] = k;
	}
	for (i = 0; i < nk; i++) {
		draw(r, kids[i], x);
		x += r->t->nodes[kids[i]].total[side];
	}
	free(kids);
}

/* The script: label fitting, zoom, search. Kept free of "]]>". */
static const char script[] =
	"(function(){\n"
	"'use strict';\n"
	"var svg=document.documentElement, NS='http://www.w3.org/2000/svg';\n"
	"var W=+svg.getAttribute('data-plot-w'), X0=+svg.getAttribute('data-side');\n"
	"var frames=[], gs=svg.querySelectorAll('g.f');\n"
	"for(var i=0;i<gs.length;i++){var g=gs[i];frames.push({g:g,x:+g.getAttribute('data-x'),"
	"w:+g.getAttribute('data-w'),d:+g.getAttribute('data-d'),"
	"name:g.querySelector('title').textContent.split('\\n')[0],"
	"rect:g.querySelector('rect'),text:g.querySelector('text'),"
	"fill:g.querySelector('rect').getAttribute('fill')});}\n"
	"var root=frames[0], zoomed=root;\n"
	"function fit(f,px){var n=Math.floor((px-6)/7);var t=f.name;"
	"if(n<3)t='';else if(t.length>n)t=t.substring(0,n-2)+'..';f.text.textContent=t;}\n"
	"function layout(z){zoomed=z;var s=W/z.w;\n"
	"frames.forEach(function(f){var inside=f.x>=z.x-1e-9*z.w&&f.x+f.w<=z.x+z.w*(1+1e-9)&&f.d>=z.d;"
	"var anc=f.d<z.d&&f.x<=z.x+1e-9*z.w&&f.x+f.w>=z.x+z.w*(1-1e-9);\n"
	"if(!inside&&!anc){f.g.style.display='none';return;}\n"
	"var x=anc?0:(f.x-z.x)*s, w=anc?W:f.w*s;\n"
	"f.g.style.display=w<0.1?'none':'';f.g.style.opacity=anc&&f!==z?'0.6':'';\n"
	"f.rect.setAttribute('x',(X0+x).toFixed(1));f.rect.setAttribute('width',w.toFixed(1));"
	"f.text.setAttribute('x',(X0+x+3).toFixed(1));fit(f,w);});\n"
	"document.getElementById('unzoom').style.opacity=z===root?'0.3':'1';}\n"
	"frames.forEach(function(f){f.g.addEventListener('click',function(){layout(f);});\n"
	"f.g.addEventListener('mouseover',function(){document.getElementById('details')."
	"textContent=f.g.querySelector('title').textContent.replace(/\\n/g,'; ');});});\n"
	"document.getElementById('unzoom').addEventListener('click',function(){layout(root);});\n"
	"function search(term){var re;try{re=new RegExp(term);}catch(e){re=null;}\n"
	"var n=0,cost=0;frames.forEach(function(f){var m=re&&term!==''&&re.test(f.name);\n"
	"f.rect.setAttribute('fill',m?'rgb(230,0,230)':f.fill);f.g.setAttribute('data-match',m?'1':'0');"
	"if(m)n++;});\n"
	"var el=document.getElementById('matched');el.textContent=term?('Matched: '+n+' frame'"
	"+(n===1?'':'s')+' for /'+term+'/'):'';svg.setAttribute('data-pg-matches',String(n));}\n"
	"function ask(){var t=window.prompt('Search frames (regular expression):','');"
	"if(t!==null)search(t);}\n"
	"document.getElementById('search').addEventListener('click',ask);\n"
	"window.addEventListener('keydown',function(e){if((e.ctrlKey||e.metaKey)&&"
	"(e.key==='f'||e.key==='F')){e.preventDefault();ask();}"
	"else if(e.key==='Escape'){search('');layout(root);}});\n"
	"layout(root);\n"
	"var h=decodeURIComponent((window.location.hash||'').substring(1));\n"
	"if(h.indexOf('s=')===0)search(h.substring(2));\n"
	"svg.setAttribute('data-pg-ready',String(frames.length));\n"
	"})();\n";

static void render(struct pg_buf *out, struct tree *t, bool diff, const char *unit,
		   const char *title, const char *subtitle)
{
	struct render r;
	unsigned width = PG_SVG_WIDTH_PX, plot = width - 2 * SIDE_PX;
	int side = diff ? 1 : 0;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.t = t;
	r.out = out;
	r.diff = diff;
	r.unit = unit;
	r.height_px = TOP_PX + BOTTOM_PX + (t->max_depth + 1) * FRAME_H;
	r.scale_px = t->nodes[0].total[side] > 0 ? plot / t->nodes[0].total[side] : 0;
	for (i = 0; i < t->nr; i++) {
		double d = fabs(t->nodes[i].self[1] - t->nodes[i].self[0]);
		if (d > r.max_delta)
			r.max_delta = d;
	}

	pg_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
	pg_buf_addf(out,
		    "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
		    "height=\"%u\" viewBox=\"0 0 %u %u\" data-plot-w=\"%u\" data-side=\"%d\" "
		    "data-kind=\"%s\">\n",
		    width, r.height_px, width, r.height_px, plot, SIDE_PX, diff ? "diff" : "flame");
	pg_buf_adds(out, "<style>text{font:12px monospace;fill:#000;pointer-events:none}"
			 "g.f{cursor:pointer}g.f:hover rect{stroke:#000;stroke-width:0.5}"
			 ".btn{cursor:pointer;fill:#333;pointer-events:all}"
			 ".hdr{font:17px sans-serif}</style>\n");
	pg_buf_addf(out, "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"#f8f8f8\"/>\n",
		    width, r.height_px);
	pg_buf_addf(out, "<text class=\"hdr\" x=\"%u\" y=\"22\" text-anchor=\"middle\">", width / 2);
	pg_svg_escape(out, title ? title : (diff ? "Differential flame graph" : "Flame graph"));
	pg_buf_adds(out, "</text>\n");
	pg_buf_addf(out, "<text x=\"%d\" y=\"40\">", SIDE_PX);
	pg_svg_escape(out, subtitle);
	pg_buf_adds(out, "</text>\n");
	pg_buf_addf(out, "<text id=\"unzoom\" class=\"btn\" x=\"%d\" y=\"22\">Reset Zoom</text>\n",
		    SIDE_PX);
	pg_buf_addf(out, "<text id=\"search\" class=\"btn\" x=\"%u\" y=\"22\" text-anchor=\"end\">"
			 "Search</text>\n",
		    width - SIDE_PX);
	pg_buf_addf(out, "<text id=\"matched\" x=\"%u\" y=\"40\" text-anchor=\"end\"></text>\n",
		    width - SIDE_PX);
	pg_buf_addf(out, "<text id=\"details\" x=\"%d\" y=\"%u\"> </text>\n", SIDE_PX,
		    r.height_px - 8);
	pg_buf_adds(out, "<g id=\"frames\">\n");
	draw(&r, 0, 0);
	pg_buf_adds(out, "</g>\n<script type=\"text/ecmascript\"><![CDATA[\n");
	pg_buf_adds(out, script);
	pg_buf_adds(out, "]]></script>\n</svg>\n");
}

void pg_svg_flamegraph(struct pg_buf *out, const struct pg_prof *p, const char *title)
{
	struct tree t;
	struct pg_buf sub = PG_BUF_INIT;
	const char *unit = pg_prof_unit_name(p);

	tree_init(&t);
	tree_add(&t, p, 0);
	pg_buf_adds(&sub, "total ");
	pg_svg_format_cost(&sub, t.nodes[0].total[0], unit);
	pg_buf_adds(&sub, " per run");
	if (p->event)
		pg_buf_addf(&sub, " (%s)", p->event);
	pg_buf_adds(&sub, ". Click a frame to zoom, Ctrl-F or Search to highlight.");
	render(out, &t, false, unit, title, pg_buf_cstr(&sub));
	pg_buf_release(&sub);
	tree_release(&t);
}

int pg_svg_diff(struct pg_buf *out, const struct pg_prof *before, const struct pg_prof *after,
		const char *title, struct pg_err *err)
{
	struct tree t;
	struct pg_buf sub = PG_BUF_INIT;
	const char *unit = pg_prof_unit_name(after);

	if (strcmp(pg_prof_unit_name(before), unit))
		return pg_err_set(err, PG_ERR_USAGE,
				  "cannot compare profiles in different cost units: %s before, %s after",
				  pg_prof_unit_name(before), unit);
	tree_init(&t);
	tree_add(&t, before, 0);
	tree_add(&t, after, 1);
	pg_buf_adds(&sub, "total ");
	pg_svg_format_cost(&sub, t.nodes[0].total[0], unit);
	pg_buf_adds(&sub, " -> ");
	pg_svg_format_cost(&sub, t.nodes[0].total[1], unit);
	pct(&sub, t.nodes[0].total[0], t.nodes[0].total[1]);
	pg_buf_adds(&sub, " per run. Widths: after. Red: self cost grew, blue: shrank.");
	render(out, &t, true, unit, title, pg_buf_cstr(&sub));
	pg_buf_release(&sub);
	tree_release(&t);
	return 0;
}
