# what: the whole code/ folder a symlink to the teacher's
# expect: 0
rm -rf code
ln -s "TEACHER/code" code
