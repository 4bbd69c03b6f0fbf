cd ex-partial
git restore --staged train.txt   # 스테이징만 취소한다: 작업 디렉터리의 변경은 남는다
git commit -q -m "모델을 LSTM으로"
git status --short
