cd ex-rescue
git reflog -3                      # HEAD가 지나온 곳: HEAD@{1}이 '아이디어' 커밋이다
git branch rescue 'HEAD@{1}'       # 그 커밋에 이름을 붙이면 더는 사라지지 않는다
git log --oneline --all
