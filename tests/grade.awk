# grade.awk: the exercise-by-exercise table of ./build.sh grade.
#
#   awk -F'\t' -v declared=FILE -v compiled=FILE -v todo=FILE -v csv=FILE \
#       [-v reports=DIR] [-v stopped=FILE] -f tests/grade.awk CASES
#
# declared  ID <TAB> POINTS <TAB> NEEDS <TAB> SUITE: every exercise, from its
#           test case's name in tests/test_SUITE.c, "exercise 4.1 (3 points)"
#           or "exercise 10.1 (3 points; needs 2.1 3.1 4.1)"
# compiled  SUITE <TAB> FIRST ERROR: the suites (or "program NN_topic") that
#           did not compile
# todo      the ids of the exercises whose stub ran (exercise_todo), one a
#           line
# reports   where the suites' logs are, for a message (bin/grade)
# stopped   SUITE <TAB> WHY: suites stopped before they finished (optional)
# expected  SUITE <TAB> CASE: every case named after an exercise (optional):
#           one with no result, in a suite that ran, failed (its suite
#           stopped before it), so that stopping a suite early cannot skip
#           a case
# CASES     SUITE <TAB> CASE <TAB> RESULT <TAB> MESSAGE, one line per test
#           (tests/check_xml.awk of each suite's Check XML report)
#
# Prints the table and a score; writes csv: exercise, points, earned,
# result, message, failing cases that need it. An exercise is right when
# every case named after it passes (a hidden case too) and every exercise
# it needs is right; not started when one fails and its stub ran; blocked
# when an exercise it needs is not right; otherwise wrong. A case "... (needs 2.1 3.1)" that
# fails is listed under each of those that is not right.
function numeric(id) { split(id, part, "."); return part[1] * 1000 + part[2] }
function csv_field(text) { gsub(/"/, "\"\"", text); return "\"" text "\"" }
function needs_of(name,    list) {
    if (!match(name, /needs [0-9. ]+/))
        return ""
    list = substr(name, RSTART + 6, RLENGTH - 6)
    sub(/ +$/, "", list)
    return list
}
BEGIN {
    FS = "\t"
    while ((getline line < declared) > 0) {
        split(line, f, "\t")
        id = f[1]
        if (id in points) {
            printf "grade.awk: exercise %s has points declared twice\n", id > "/dev/stderr"
            bad = 1
        }
        points[id] = f[2]; exercise_needs[id] = f[3]; suite_of[id] = f[4]
        ids[++n_ids] = id
        total_points += f[2]
    }
    while ((getline line < compiled) > 0) {
        split(line, f, "\t")
        broken[f[1]] = f[2]
    }
    while ((getline line < todo) > 0)
        stub_ran[line] = 1
    while (stopped != "" && (getline line < stopped) > 0) {
        split(line, f, "\t")
        unfinished[f[1]] = f[2]
    }
}
{
    suite = $1; name = $2; result = $3; message = $4
    suite_ran[suite] = 1
    key = suite SUBSEP name
    if (!(key in case_result)) {
        case_result[key] = "pass"
        case_order[++n_cases] = key
        case_name[key] = name
        case_suite[key] = suite
    }
    if (result != "success" && case_result[key] == "pass") {
        case_result[key] = "fail"
        # Check's word for a test that ran out of time, and what it means.
        if (message ~ /^Test timeout expired/)
            message = message ": a loop that never ends, or one that runs far too long?"
        case_message[key] = message
    }
}
END {
    # A case of a suite that ran, but with no result: it never ran.
    while (expected != "" && (getline line < expected) > 0) {
        split(line, f, "\t")
        key = f[1] SUBSEP f[2]
        if (key in case_result || !(f[1] in suite_ran))
            continue
        case_result[key] = "fail"
        case_order[++n_cases] = key
        case_name[key] = f[2]
        case_suite[key] = f[1]
        case_message[key] = "this case never ran: its suite stopped before it" \
            (f[1] in unfinished ? " (" unfinished[f[1]] ")" : "")
    }
    # Sort the exercises: 1.1, 1.2, ..., 9.2, 10.1.
    for (i = 2; i <= n_ids; i++)
        for (j = i; j > 1 && numeric(ids[j]) < numeric(ids[j - 1]); j--) {
            t = ids[j]; ids[j] = ids[j - 1]; ids[j - 1] = t
        }
    # Each case belongs to an exercise ("exercise 4.1 ...") or needs some.
    for (c = 1; c <= n_cases; c++) {
        key = case_order[c]
        name = case_name[key]
        if (match(name, /^exercise [0-9]+\.[0-9]+/)) {
            id = substr(name, 10, RLENGTH - 9)
            seen[id] = 1
            if (case_result[key] == "fail" && !(id in first_failure))
                first_failure[id] = case_message[key]
        }
    }
    for (i = 1; i <= n_ids; i++) {
        id = ids[i]
        if (suite_of[id] in broken) {
            status[id] = "does not compile"; why[id] = broken[suite_of[id]]
        } else if (!(id in seen)) {
            status[id] = "no result"
            why[id] = "its tests did not run" (suite_of[id] in unfinished ? " (" unfinished[suite_of[id]] ")" : "") \
                      ": see " (reports ? reports : "bin/grade") "/" suite_of[id] ".log"
        } else if (!(id in first_failure)) {
            status[id] = "right"
        } else if (id in stub_ran) {
            status[id] = "not started"
            why[id] = "a stub is still in place: TODO(" id ") in code/" suite_of[id] ".c"
        } else {
            status[id] = "wrong"; why[id] = first_failure[id]
        }
    }
    # Blocked: an exercise it needs is not right. Failing, it waits for
    # that one; passing, it counts only once that one is right too (its
    # result rests on code that is not: exercise 7.3's network, trained with
    # a wrong sgd_step, could come from anywhere). In id order, so that an
    # exercise blocked in turn blocks those that need it.
    for (i = 1; i <= n_ids; i++) {
        id = ids[i]
        if (status[id] != "wrong" && status[id] != "right")
            continue
        k = split(exercise_needs[id], need, " ")
        waiting = ""
        for (j = 1; j <= k; j++)
            if (need[j] in status && status[need[j]] != "right")
                waiting = waiting (waiting ? " " : "") need[j]
        if (waiting == "")
            continue
        if (status[id] == "right")
            why[id] = "its own tests pass, but it counts only once " waiting \
                      " (which it builds on) is right too"
        else
            why[id] = "needs " waiting " first (not right yet); " why[id]
        status[id] = "blocked"
    }
    # Failing cases that need exercises: under each needed one not right.
    n_other = 0
    for (c = 1; c <= n_cases; c++) {
        key = case_order[c]
        name = case_name[key]
        if (case_result[key] != "fail" || name ~ /^exercise [0-9]/)
            continue
        k = split(needs_of(name), need, " ")
        placed = 0
        for (j = 1; j <= k; j++)
            if (need[j] in status && status[need[j]] != "right") {
                dependents[need[j]] = dependents[need[j]] (dependents[need[j]] ? "; " : "") name " (" case_suite[key] ")"
                placed = 1
            }
        if (!placed)
            other[++n_other] = case_suite[key] ": " name ": " case_message[key]
    }
    for (s in broken)
        if (s ~ /^program /)
            other[++n_other] = s " does not compile: " broken[s]

    printf "  %-9s %-7s %-17s %s\n", "exercise", "points", "result", "hint"
    print "exercise,points,earned,result,message,failing cases that need it" > csv
    for (i = 1; i <= n_ids; i++) {
        id = ids[i]
        earned = status[id] == "right" ? points[id] : 0
        score += earned
        count[status[id]]++
        row = sprintf("  %-9s %3d/%-3d %-17s %s", id, earned, points[id], status[id], why[id])
        sub(/ +$/, "", row)
        print row
        if (id in dependents) {
            k = split(dependents[id], list, "; ")
            for (j = 1; j <= k; j++)
                printf "  %-9s %-7s %-17s also fails: %s\n", "", "", "", list[j]
        }
        print id "," points[id] "," earned "," status[id] "," csv_field(why[id]) "," csv_field(dependents[id]) > csv
    }
    print "total," total_points "," score ",,," > csv
    close(csv)
    if (n_other > 0) {
        print "  Other failing cases (given code, or cases whose exercises are all right):"
        for (j = 1; j <= n_other; j++)
            print "    " other[j]
    }
    summary = ""
    n_kinds = split("right|wrong|blocked|not started|does not compile|no result", kinds, "|")
    for (j = 1; j <= n_kinds; j++)
        if (count[kinds[j]] > 0)
            summary = summary ", " count[kinds[j]] " " (kinds[j] == "does not compile" ? "not compiled" : kinds[j])
    printf "score: %d of %d points (%d exercises%s)\n", score, total_points, n_ids, summary
    exit bad
}
