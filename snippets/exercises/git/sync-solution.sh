cd ex-sync
git merge --no-edit master       # exp에 서서 master를 받는다: exp만 움직인다
git log --oneline --graph --all
