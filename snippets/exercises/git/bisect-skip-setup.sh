cat > test_mean.sh <<'TEST'
#!/bin/sh
python -c 'from stats import mean; assert mean([1, 2]) == 1.5'
TEST
chmod +x test_mean.sh
git init -q -b master ex-skip
cd ex-skip
git config user.name "학습자"
git config user.email "learner@example.com"
good='def mean(xs):\n    return sum(xs) / len(xs)\n'
broken='def mean(xs):\n    if not xs\n        return 0.0\n    return sum(xs) / len(xs)\n'
fixed='def mean(xs):\n    if not xs:\n        return 0.0\n    return sum(xs) / len(xs)\n'
buggy='def mean(xs):\n    if not xs:\n        return 0.0\n    return sum(xs) // len(xs)\n'
commit() { printf "$1" > stats.py; git add stats.py; git commit -q --allow-empty -m "$2"; }
commit "$good" "평균 함수"
commit "$good" "메모 2"
commit "$good" "메모 3"
commit "$good" "메모 4"
commit "$broken" "빈 목록 처리 (작업 중)"
commit "$broken" "메모 6"
commit "$broken" "메모 7"
commit "$fixed" "빈 목록 처리 마무리"
commit "$buggy" "평균 계산 단순화"
commit "$buggy" "메모 10"
commit "$buggy" "메모 11"
commit "$buggy" "메모 12"
git log --oneline
cd ..
