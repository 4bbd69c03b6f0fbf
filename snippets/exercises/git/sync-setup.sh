git init -q -b master ex-sync
cd ex-sync
git config user.name "학습자"
git config user.email "learner@example.com"
printf '계획\n' > plan.txt
git add plan.txt
git commit -q -m "계획"
git switch -q -c exp
printf '실험 1\n' > exp.txt
git add exp.txt
git commit -q -m "exp: 실험 1"
git switch -q master
printf '일정: 목요일\n' > schedule.txt
git add schedule.txt
git commit -q -m "master: 일정"
git switch -q exp
git log --oneline --graph --all
cd ..
