#!/bin/sh
# The team's check of docconv's output, independent of docconv's code:
# one <h1> per "# " line of the input, in order, every text line of the
# input present as a paragraph, and the document complete (it ends with
# </body></html>; a partial file is wrong).  Exit 0 right, 1 wrong.
in=$1 out=$2
name=$(basename "$in" .txt)
f=$out/$name.html
[ -f "$f" ] || { echo "check: no $name.html in the output"; exit 1; }
[ "$(tail -n 1 "$f")" = "</body></html>" ] || { echo "check: $name.html is incomplete"; exit 1; }
unesc() { sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'; }
want=$(sed -n 's/^# //p' "$in")
got=$(sed -n 's:^<h1>\(.*\)</h1>$:\1:p' "$f" | unesc)
[ "$want" = "$got" ] || { echo "check: $name.html headings differ from the input's"; exit 1; }
want=$(grep -v -e '^# ' -e '^$' "$in")
got=$(sed -n 's:^<p>\(.*\)</p>$:\1:p' "$f" | unesc)
[ "$want" = "$got" ] || { echo "check: $name.html text differs from the input's"; exit 1; }
exit 0
