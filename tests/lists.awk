# lists.awk: in Markdown, a paragraph straight after a list item runs into
# the item. Prints each place where a list is not followed by a blank line.
#
#   awk -f tests/lists.awk chapters/*.md
FNR == 1 { in_list = 0; fence = 0 }
/^```/ { fence = !fence }
fence { next }
/^[-*] / { in_list = 1; next }
/^$/ { in_list = 0; next }
in_list && /^[^ ]/ { print "  " FILENAME ":" FNR ": no blank line between a list and \"" substr($0, 1, 30) "...\""; in_list = 0 }
