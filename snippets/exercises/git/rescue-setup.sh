git init -q -b master ex-rescue
cd ex-rescue
git config user.name "학습자"
git config user.email "learner@example.com"
printf '1\n' > log.txt
git add log.txt
git commit -q -m "기록 1"
printf '2\n' >> log.txt
git commit -q -am "기록 2"
git switch -q --detach HEAD~1                   # 시간 여행
printf '좋은 생각\n' > idea.txt
git add idea.txt
git commit -q -m "아이디어"                     # 분리된 HEAD 위의 커밋
git switch -q master 2>/dev/null                # 돌아오면 그 커밋을 가리키는 이름이 없다
git log --oneline --all
cd ..
