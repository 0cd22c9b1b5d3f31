# what: the honest student: every exercise solved (the teacher's solutions), graded right after 15_busy_neighbour, whose busy processes must not cost it a point
# expect: 57
cp TEACHER/code/[0-9][0-9]_*.c code/
