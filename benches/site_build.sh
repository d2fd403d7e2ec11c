#!/usr/bin/env bash
# Builds the same synthetic site (10,000 Markdown pages in 10 paginated
# sections) with schoolsite and with Hugo, in the same run, and prints the
# wall-time ratio and both peaks of memory (from /usr/bin/time -v).
#
#   bash benches/site_build.sh [PAGES] [RUNS]
#   BASELINE_REV=c1b0cb5 bash benches/site_build.sh 10000 5
#
# With BASELINE_REV, that revision of schoolsite is built too (in a git
# worktree, with its own target folder) and timed in the same runs, so
# the cost of a change (such as the gate) is a ratio measured side by side.
# Runs alternate between the tools, and the best of each is kept.
#
# Needs: hugo and /usr/bin/time (Debian packages `hugo` and `time`).
set -euo pipefail

PAGES=${1:-10000}
RUNS=${2:-3}
SECTIONS=10
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v hugo >/dev/null || { echo "hugo is not installed (apt-get install hugo)"; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is not installed (apt-get install time)"; exit 2; }

echo "building schoolsite (release)..."
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/schoolsite"

echo "generating $PAGES pages in $SECTIONS sections..."
python3 - "$work/site" "$PAGES" "$SECTIONS" <<'PY'
import os, sys, random
root, pages, sections = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(1)
words = "school garden library reading children parents teacher class trip music sport science art week term assembly lunch club choir".split()
def para(n):
    return " ".join(random.choice(words) for _ in range(n)).capitalize() + "."
c = os.path.join(root, "content")
os.makedirs(c)
open(os.path.join(c, "_index.md"), "w").write('+++\ntitle = "Home"\n+++\n\nWelcome.\n')
per = pages // sections
for s in range(sections):
    d = os.path.join(c, f"section-{s}")
    os.makedirs(d)
    open(os.path.join(d, "_index.md"), "w").write(f'+++\ntitle = "Section {s}"\n+++\n\nAll about section {s}.\n')
    for p in range(per):
        day = 1 + p % 28
        month = 1 + (p // 28) % 12
        body = [f"## Introduction\n\n{para(60)}\n\n{para(40)}\n",
                f"## Details\n\n- {para(8)}\n- {para(8)}\n- {para(8)}\n",
                f"| Day | What |\n|---|---|\n| Monday | {para(4)} |\n| Friday | {para(4)} |\n",
                f"## More\n\n{para(80)} *{para(5)}* **{para(5)}**\n\n{para(50)}\n"]
        open(os.path.join(d, f"page-{p}.md"), "w").write(
            f'+++\ntitle = "Page {p} of section {s}"\ndescription = "{para(10)}"\ndate = 2025-{month:02d}-{day:02d}\n+++\n\n' + "\n".join(body))
PY

site="$work/site"
# schoolsite: config, theme, and a sort/paginate setting per section.
cat > "$site/config.toml" <<'TOML'
title = "Bench School"
base_url = "https://bench.example.org"
theme = "bench"
[school]
name = "Bench School"
address = "1 Bench Lane"
phone = "01632 960 000"
email = "office@bench.example.org"
[statutory]
profile = "none"
TOML
mkdir -p "$site/themes/bench/templates" "$site/layouts/_default"
cat > "$site/themes/bench/templates/base.html" <<'T'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{% block title %}{{ config.title }}{% endblock %}</title></head>
<body><header><a href="/">{{ config.title }}</a></header><main>{% block content %}{% endblock %}</main></body></html>
T
cat > "$site/themes/bench/templates/page.html" <<'T'
{% extends "base.html" %}{% block title %}{{ page.title }}{% endblock %}
{% block content %}<h1>{{ page.title }}</h1><p>{{ page.date }}</p>{{ page.content | safe }}{% endblock %}
T
cat > "$site/themes/bench/templates/section.html" <<'T'
{% extends "base.html" %}{% block title %}{{ section.title }}{% endblock %}
{% block content %}<h1>{{ section.title }}</h1>{{ section.content | safe }}
<ul>{% for p in paginator.pages %}<li><a href="{{ p.path }}">{{ p.title }}</a> {{ p.date }}</li>{% endfor %}</ul>
{% if paginator.next %}<a href="{{ paginator.next }}">Next</a>{% endif %}{% endblock %}
T
cat > "$site/themes/bench/templates/index.html" <<'T'
{% extends "base.html" %}{% block content %}{{ section.content | safe }}
<ul>{% for s in section.subsections %}<li><a href="{{ s.path }}">{{ s.title }}</a></li>{% endfor %}</ul>{% endblock %}
T
# Hugo: the same pages and equivalent layouts.
cat > "$site/hugo.toml" <<'TOML'
baseURL = "https://bench.example.org/"
title = "Bench School"
PAGINATE
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[markup.goldmark.renderer]
unsafe = true
TOML
cat > "$site/layouts/_default/baseof.html" <<'T'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ block "title" . }}{{ .Site.Title }}{{ end }}</title></head>
<body><header><a href="/">{{ .Site.Title }}</a></header><main>{{ block "main" . }}{{ end }}</main></body></html>
T
cat > "$site/layouts/_default/single.html" <<'T'
{{ define "title" }}{{ .Title }}{{ end }}{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>{{ .Content }}{{ end }}
T
cat > "$site/layouts/_default/list.html" <<'T'
{{ define "title" }}{{ .Title }}{{ end }}{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>
{{ with .Paginator.Next }}<a href="{{ .URL }}">Next</a>{{ end }}{{ end }}
T
cat > "$site/layouts/index.html" <<'T'
{{ define "main" }}{{ .Content }}<ul>{{ range .Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
T
# Hugo 0.128 moved `paginate` to [pagination] pagerSize (and later
# releases dropped the old key).
hugo_minor=$(hugo version | sed -n 's/.*v0\.\([0-9]*\).*/\1/p')
if [ "${hugo_minor:-0}" -ge 128 ]; then
  sed -i '/^PAGINATE$/d' "$site/hugo.toml"
  printf '[pagination]\npagerSize = 10\n' >> "$site/hugo.toml"
else
  sed -i 's/^PAGINATE$/paginate = 10/' "$site/hugo.toml"
fi
# schoolsite reads section settings from _index.md; Hugo ignores them.
for d in "$site"/content/section-*; do
  sed -i 's/^title = \(.*\)$/title = \1\nsort_by = "date"\npaginate_by = 10/' "$d/_index.md"
done

baseline=""
if [ -n "${BASELINE_REV:-}" ]; then
  echo "building schoolsite at $BASELINE_REV (release) for the side-by-side run..."
  tree="$work/baseline-src"
  git -C "$here" worktree add --detach -f "$tree" "$BASELINE_REV" >/dev/null
  trap 'git -C "$here" worktree remove --force "$tree" >/dev/null 2>&1; rm -rf "$work"' EXIT
  cargo build --release --quiet --manifest-path "$tree/Cargo.toml" --target-dir "$here/target/baseline"
  baseline="$here/target/baseline/release/schoolsite"
fi

declare -A best_wall best_rss
once() { # name, command...
  local name=$1; shift
  /usr/bin/time -v "$@" >"$work/$name.out" 2>"$work/$name.time" || { cat "$work/$name.out" "$work/$name.time"; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/$name.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.time")
  if [ -z "${best_wall[$name]:-}" ] || awk "BEGIN{exit !($wall < ${best_wall[$name]})}"; then
    best_wall[$name]=$wall; best_rss[$name]=$rss
  fi
}

echo "timing (best of $RUNS runs each, alternating, $(nproc) cores)..."
for _ in $(seq "$RUNS"); do
  once schoolsite "$bin" build --root "$site"
  [ -n "$baseline" ] && once baseline "$baseline" build --root "$site"
  once hugo hugo --quiet --source "$site" --destination "$site/public-hugo"
done
s_wall=${best_wall[schoolsite]}; s_rss=${best_rss[schoolsite]}
h_wall=${best_wall[hugo]}; h_rss=${best_rss[hugo]}
"$bin" build --root "$site" >/dev/null
s_pages=$(find "$site/public" -name '*.html' | wc -l)
h_pages=$(find "$site/public-hugo" -name '*.html' | wc -l)
echo "hugo: $(hugo version | cut -d' ' -f1-2)"

printf '\n%-12s %10s %14s %12s\n' tool "wall (s)" "peak RSS (MB)" "HTML files"
printf '%-12s %10.2f %14.1f %12d\n' schoolsite "$s_wall" "$(echo "$s_rss/1024" | bc -l)" "$s_pages"
if [ -n "$baseline" ]; then
  printf '%-12s %10.2f %14.1f\n' "@$BASELINE_REV" "${best_wall[baseline]}" "$(echo "${best_rss[baseline]}/1024" | bc -l)"
fi
printf '%-12s %10.2f %14.1f %12d\n' hugo "$h_wall" "$(echo "$h_rss/1024" | bc -l)" "$h_pages"
if [ -n "$baseline" ]; then
  printf '\ntime ratio schoolsite/%s: %.3f (the change'"'"'s cost)\n' "$BASELINE_REV" "$(echo "$s_wall/${best_wall[baseline]}" | bc -l)"
fi
printf '\ntime ratio schoolsite/hugo: %.2f (below 1 means schoolsite is faster)\n' "$(echo "$s_wall/$h_wall" | bc -l)"
printf 'memory ratio schoolsite/hugo: %.2f\n' "$(echo "$s_rss/$h_rss" | bc -l)"
