mkdir ex-push
cd ex-push
git init -q --bare -b master origin.git
git clone -q origin.git me 2>/dev/null
git -C me config user.name "학습자"
git -C me config user.email "learner@example.com"
printf '주제: 브랜치\n' > me/README.txt
git -C me add README.txt
git -C me commit -q -m "README"
git -C me push -q origin master
git clone -q origin.git teammate
git -C teammate config user.name "팀원"
git -C teammate config user.email "teammate@example.com"
printf '모임: 목요일\n' > teammate/SCHEDULE.txt
git -C teammate add SCHEDULE.txt
git -C teammate commit -q -m "팀원: 모임 일정"
git -C teammate push -q origin master
cd me
printf '다음 주제: 풀 리퀘스트\n' >> README.txt
git commit -q -am "나: 다음 주제"
git push -q origin master 2>/dev/null || echo "푸시가 거절되었습니다"
cd ../..
