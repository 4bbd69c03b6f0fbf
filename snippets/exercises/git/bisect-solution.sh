cd ex-bisect
git bisect start master master~15       # 나쁜 커밋, 좋은 커밋(첫 커밋)
git bisect run ../test_clip.sh 2>/dev/null   # 테스트의 오류 메시지는 감춘다: 종료 코드만 본다
git tag first-bad refs/bisect/bad       # bisect가 찾은 커밋
git bisect reset
git log -1 --format='first-bad: %h %s' first-bad
