cat > test_clip.sh <<'TEST'
#!/bin/sh
python -c 'from mathutil import clip; assert clip(5, 0, 3) == 3 and clip(-1, 0, 3) == 0'
TEST
chmod +x test_clip.sh
git init -q -b master ex-bisect
cd ex-bisect
git config user.name "학습자"
git config user.email "learner@example.com"
printf 'def clip(x, low, high):\n    return max(low, min(x, high))\n' > mathutil.py
git add mathutil.py
git commit -q -m "clip 함수"
for n in $(seq 2 16); do
  if [ "$n" = 11 ]; then
    printf 'def clip(x, low, high):\n    return min(low, max(x, high))\n' > mathutil.py
    git commit -q -am "clip 정리"
  else
    echo "메모 $n" >> NOTES.txt
    git add NOTES.txt
    git commit -q -m "메모 $n"
  fi
done
git log --oneline
cd ..
