# what: the honest student: every exercise solved (the teacher's solutions)
# expect: 54
cp TEACHER/code/[0-9][0-9]_*.c code/
