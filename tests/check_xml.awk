# check_xml.awk: Check's XML report (what a suite writes where
# CK_XML_LOG_FILE_NAME says) as one line per test:
#
#   SUITE <TAB> CASE <TAB> RESULT <TAB> MESSAGE
#
# RESULT is Check's: success, failure or error. A message that spans lines
# is joined with " / "; tabs become spaces.
function inner(text, tag,    start, stop) {
    start = index(text, "<" tag ">") + length(tag) + 2
    stop = index(text, "</" tag ">")
    if (stop == 0)
        stop = length(text) + 1
    return substr(text, start, stop - start)
}
function unescape(text) {
    gsub(/&#x[aA];|&#10;/, " / ", text)
    gsub(/&#x9;|&#9;|\t/, " ", text)
    gsub(/&#x?[0-9A-Fa-f]+;/, "", text)
    gsub(/&lt;/, "<", text)
    gsub(/&gt;/, ">", text)
    gsub(/&quot;/, "\"", text)
    gsub(/&apos;/, "'", text)
    gsub(/&amp;/, "\\&", text)
    return text
}
/<title>/ { suite = unescape(inner($0, "title")) }
/<test result="/ {
    result = $0
    sub(/.*result="/, "", result)
    sub(/".*/, "", result)
    tcase = ""
    message = ""
}
/<description>/ { tcase = unescape(inner($0, "description")) }
/<message>/ {
    message = inner($0, "message")
    while (index($0, "</message>") == 0 && (getline) > 0)
        message = message " / " inner("<message>" $0, "message")
    message = unescape(message)
}
/<\/test>/ { print suite "\t" tcase "\t" result "\t" message }
