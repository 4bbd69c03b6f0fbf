cd ex-push/me
git pull -q --no-rebase --no-edit origin master   # 팀원의 커밋을 받아 병합한다
git push -q origin master                         # 이제 빨리 감기라 받아 준다
git log --oneline --graph --all
