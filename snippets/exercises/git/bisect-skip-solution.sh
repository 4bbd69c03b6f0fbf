cat > test_or_skip.sh <<'TEST'
#!/bin/sh
python -c 'import stats' 2>/dev/null || exit 125   # 불러올 수조차 없으면 테스트할 수 없는 커밋: 건너뛴다
exec ../test_mean.sh
TEST
chmod +x test_or_skip.sh
cd ex-skip
git bisect start master master~11
git bisect run ../test_or_skip.sh 2>/dev/null
git tag first-bad refs/bisect/bad
git bisect reset
git log -1 --format='first-bad: %h %s' first-bad
