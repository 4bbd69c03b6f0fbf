git init -q -b master ex-conflict
cd ex-conflict
git config user.name "학습자"
git config user.email "learner@example.com"
printf '모임: 목요일 저녁\n장소: 3층 세미나실\n' > schedule.txt
git add schedule.txt
git commit -q -m "모임 안내"
git switch -q -c exp
printf '모임: 목요일 저녁\n장소: 온라인\n' > schedule.txt
git commit -q -am "exp: 온라인으로"
git switch -q master
printf '모임: 목요일 저녁\n장소: 2층 회의실\n' > schedule.txt
git commit -q -am "master: 장소 변경"
git merge exp > /dev/null || true      # 충돌로 멈춘다
git status --short
cd ..
