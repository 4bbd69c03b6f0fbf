git init -q -b master ex-partial
cd ex-partial
git config user.name "학습자"
git config user.email "learner@example.com"
printf '모델: RNN\n' > model.txt
printf '학습률: 0.1\n' > train.txt
git add model.txt train.txt
git commit -q -m "처음 설정"
printf '모델: LSTM\n' > model.txt               # 커밋할 변경
printf '학습률: 0.001 (실험 중)\n' > train.txt  # 아직 커밋하지 않을 변경
git add model.txt train.txt
git status --short
cd ..
