cd ex-conflict
printf '모임: 목요일 저녁\n장소: 2층 회의실 (온라인 동시 진행)\n' > schedule.txt   # 표시 줄을 지우고 두 내용을 합친다
git add schedule.txt
git commit -q --no-edit
git log --oneline --graph --all
