"""Checkers for the Git pages' exercises: each reads a practice repository's state, never the commands typed.

References:
    S. Chacon, B. Straub. Pro Git, 2nd ed. (Apress, 2014): 2.2 recording changes, 3.2 merging, 7.10 bisect.
    git-bisect(1) (exit status 125 skips a commit), git-reflog(1), git-merge-base(1) `--is-ancestor`.
Each practice repository is made by a setup script in snippets/exercises/git/ (shown and run on the page);
a checker takes that folder and raises AssertionError saying what in the repository is not yet as asked.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from snippets.git.graph import git


# --8<-- [start:helpers]
def _ok(repo: Path, *args: str) -> bool:
    """Whether `git -C repo args` exits with 0 (a yes/no question such as `merge-base --is-ancestor`)."""
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False).returncode == 0


def _subject(repo: Path, rev: str) -> str:
    return git(repo, "log", "-1", "--format=%s", rev)


def _commits(repo: Path, *revs: str) -> list[tuple[str, list[str], str]]:
    """(sha, parents, subject) of every commit reachable from `revs`, newest first."""
    out = git(repo, "log", "--format=%H%x00%P%x00%s", *revs)
    return [(sha, parents.split(), subject) for sha, parents, subject in
            (line.split("\x00") for line in out.split("\n") if line)]


def _branch(repo: Path, name: str) -> str:
    if not _ok(repo, "rev-parse", "--verify", "-q", f"refs/heads/{name}"):
        raise AssertionError(f"브랜치 {name}이(가) 없습니다.")
    return git(repo, "rev-parse", f"refs/heads/{name}")


def _master_unchanged(repo: Path, subject: str, count: int) -> None:
    tip = _branch(repo, "master")
    if _subject(repo, tip) != subject or git(repo, "rev-list", "--count", tip) != str(count):
        raise AssertionError(
            f"master가 움직였습니다: master의 마지막 커밋이 '{_subject(repo, tip)}'입니다 "
            f"(준비 블록 직후에는 '{subject}'). master는 그대로 두세요. 처음부터 하려면 준비 블록을 다시 실행하세요."
        )
# --8<-- [end:helpers]


# --- docs/git/branching.md ---------------------------------------------------------------------------------------
# --8<-- [start:branching]
def check_partial(repo: Path) -> list[str]:
    """One new commit that changes model.txt only; train.txt's change still in the working tree, not staged."""
    repo = Path(repo)
    head = git(repo, "rev-parse", "HEAD")
    if _subject(repo, head) == "처음 설정":
        raise AssertionError("새 커밋이 없습니다: HEAD가 아직 '처음 설정'입니다.")
    if git(repo, "rev-list", "--count", "HEAD") != "2":
        raise AssertionError("커밋은 '처음 설정' 위에 하나만 만드세요: HEAD까지의 커밋 수가 2가 아닙니다.")
    changed = git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").split("\n")
    if "train.txt" in changed:
        raise AssertionError("새 커밋에 train.txt의 변경이 들어갔습니다: 커밋에는 model.txt의 변경만 들어가야 합니다.")
    if changed != ["model.txt"] or git(repo, "show", "HEAD:model.txt") != "모델: LSTM":
        raise AssertionError(
            f"새 커밋이 바꾼 파일이 {changed}입니다: model.txt를 '모델: LSTM'으로 바꾼 커밋이어야 합니다."
        )
    staged = git(repo, "diff", "--cached", "--name-only")
    if staged:
        raise AssertionError(
            f"스테이징 영역에 아직 변경이 있습니다: {staged.split()}. train.txt는 스테이징하지 않은 채 두세요."
        )
    if (repo / "train.txt").read_text(encoding="utf-8") != "학습률: 0.001 (실험 중)\n":
        raise AssertionError(
            "train.txt의 변경이 사라졌습니다: '학습률: 0.001 (실험 중)'이 작업 디렉터리에 남아 있어야 합니다."
        )
    return ["새 커밋 하나가 model.txt만 바꿨다", "스테이징 영역이 비었다", "train.txt의 변경이 작업 디렉터리에 남았다"]


def check_rescue(repo: Path) -> list[str]:
    """Branch `rescue` reaches the commit '아이디어' made on a detached HEAD; master did not move."""
    repo = Path(repo)
    base = next(sha for sha, _, subject in _commits(repo, "master", "--reflog") if subject == "기록 1")
    originals = [sha for sha, parents, subject in _commits(repo, "--all", "--reflog")
                 if subject == "아이디어" and parents == [base]]
    if not originals:
        raise AssertionError(
            "'기록 1' 위에 만든 커밋 '아이디어'를 reflog에서도 찾을 수 없습니다. 준비 블록을 다시 실행하세요."
        )
    rescue = _branch(repo, "rescue")
    _master_unchanged(repo, "기록 2", 2)
    if not any(_ok(repo, "merge-base", "--is-ancestor", sha, rescue) for sha in originals):
        if any(subject == "아이디어" for _, _, subject in _commits(repo, rescue)):
            raise AssertionError(
                "rescue에 제목이 '아이디어'인 커밋이 있지만 분리된 HEAD에서 만든 그 커밋이 아니라 복사본입니다. "
                "cherry-pick 대신 그 커밋 자체에 브랜치를 만드세요(reflog에서 찾을 수 있습니다)."
            )
        raise AssertionError(
            f"rescue에서 커밋 '아이디어'에 닿을 수 없습니다: rescue는 '{_subject(repo, rescue)}'를 가리킵니다."
        )
    return ["브랜치 rescue가 있다", "rescue에서 분리된 HEAD의 커밋 '아이디어'에 닿는다", "master는 그대로다"]


def check_sync(repo: Path) -> list[str]:
    """exp gained master's commit through a merge commit on exp (first parent: exp's own work); master did not move."""
    repo = Path(repo)
    _master_unchanged(repo, "master: 일정", 2)
    exp = _branch(repo, "exp")
    master = git(repo, "rev-parse", "master")
    if not _ok(repo, "merge-base", "--is-ancestor", master, exp):
        raise AssertionError("exp에 master의 커밋 'master: 일정'이 없습니다: master를 exp로 병합하세요.")
    parents = git(repo, "rev-list", "--parents", "-n", "1", exp).split()[1:]
    if len(parents) != 2:
        raise AssertionError(
            f"exp의 마지막 커밋 '{_subject(repo, exp)}'는 병합 커밋이 아닙니다(부모 {len(parents)}개). "
            "이 연습은 병합으로 받습니다: exp에 서서 git merge master."
        )
    if _subject(repo, parents[0]) != "exp: 실험 1" or parents[1] != master:
        raise AssertionError(
            "병합 커밋의 첫째 부모가 exp의 커밋, 둘째 부모가 master여야 합니다: exp에 서서 master를 병합하세요."
        )
    files = set(git(repo, "ls-tree", "--name-only", exp).split("\n"))
    if not {"exp.txt", "schedule.txt"} <= files:
        raise AssertionError(f"exp의 파일이 {sorted(files)}입니다: exp.txt와 schedule.txt가 모두 있어야 합니다.")
    return [
        "master는 그대로다",
        "exp의 마지막 커밋은 exp의 작업과 master를 부모로 둔 병합 커밋이다",
        "exp에 두 파일이 모두 있다",
    ]
# --8<-- [end:branching]


# --- docs/git/bisect.md ------------------------------------------------------------------------------------------
# --8<-- [start:bisect]
def _verdicts(repo: Path, path: str, probe: str) -> list[tuple[str, str, str]]:
    """(sha, subject, 'good' | 'bad' | 'broken') for master's commits, oldest first: `path` at each commit is
    compiled ('broken' if it cannot be) and run with `probe`, an assertion about it ('bad' if it fails)."""
    rows = []
    for sha, _, subject in reversed(_commits(repo, "master")):
        namespace: dict = {}
        try:
            exec(compile(git(repo, "show", f"{sha}:{path}"), path, "exec"), namespace)
        except SyntaxError:
            rows.append((sha, subject, "broken"))
            continue
        try:
            exec(probe, namespace)
        except AssertionError:
            rows.append((sha, subject, "bad"))
        else:
            rows.append((sha, subject, "good"))
    return rows


def _check_first_bad(repo: Path, path: str, probe: str) -> list[str]:
    repo = Path(repo)
    if not _ok(repo, "rev-parse", "--verify", "-q", "refs/tags/first-bad"):
        raise AssertionError("태그 first-bad가 없습니다: 찾은 커밋에 git tag first-bad <커밋>.")
    tagged = git(repo, "rev-parse", "first-bad^{commit}")
    rows = _verdicts(repo, path, probe)
    first_bad = next(k for k, (_, _, verdict) in enumerate(rows) if verdict == "bad")
    if tagged != rows[first_bad][0]:
        found = next((row for row in rows if row[0] == tagged), None)
        if found is None:
            raise AssertionError("first-bad가 master의 커밋을 가리키지 않습니다.")
        _, subject, verdict = found
        why = {
            "good": "테스트를 통과하는 커밋입니다",
            "broken": f"{path}에 문법 오류가 있어 테스트할 수 없는 커밋입니다"
                      "(이런 커밋에서는 종료 코드 125로 건너뛰세요)",
            "bad": "테스트는 실패하지만 그보다 앞에 이미 실패하는 커밋이 있습니다",
        }[verdict]
        raise AssertionError(f"first-bad가 가리키는 '{subject}'은(는) 처음 나빠진 커밋이 아닙니다: {why}.")
    if Path(git(repo, "rev-parse", "--absolute-git-dir"), "BISECT_START").exists():
        raise AssertionError("bisect가 아직 끝나지 않았습니다: git bisect reset으로 시간 여행을 끝내세요.")
    if not _ok(repo, "symbolic-ref", "-q", "HEAD") or git(repo, "symbolic-ref", "--short", "HEAD") != "master":
        raise AssertionError("HEAD가 master에 붙어 있지 않습니다: git switch master.")
    return [f"first-bad = '{rows[first_bad][1]}', 처음 나빠진 커밋", "bisect가 끝났다", "HEAD가 master에 붙어 있다"]


def check_bisect(repo: Path) -> list[str]:
    """Tag first-bad on the first commit whose clip() is wrong; the bisect session ended, HEAD on master."""
    return _check_first_bad(repo, "mathutil.py", "assert clip(5, 0, 3) == 3 and clip(-1, 0, 3) == 0")


def check_bisect_skip(repo: Path) -> list[str]:
    """As check_bisect, in a history where some commits cannot be tested (a syntax error) and must be skipped."""
    return _check_first_bad(repo, "stats.py", "assert mean([1, 2]) == 1.5")
# --8<-- [end:bisect]


# --- docs/git/collaboration.md -----------------------------------------------------------------------------------
# --8<-- [start:collaboration]
def check_conflict(repo: Path) -> list[str]:
    """The merge of exp into master is committed, with both sides' place on the 장소 line and no markers."""
    repo = Path(repo)
    if Path(git(repo, "rev-parse", "--absolute-git-dir"), "MERGE_HEAD").exists():
        raise AssertionError("병합이 아직 진행 중입니다: 파일을 고친 뒤 git add와 git commit으로 끝내세요.")
    head = git(repo, "rev-parse", "HEAD")
    parents = git(repo, "rev-list", "--parents", "-n", "1", head).split()[1:]
    exp = _branch(repo, "exp")
    if len(parents) != 2 or parents[1] != exp or _subject(repo, parents[0]) != "master: 장소 변경":
        raise AssertionError(
            f"HEAD '{_subject(repo, head)}'는 master에 exp를 병합한 커밋이 아닙니다"
            f"(부모 {len(parents)}개). 병합을 포기(--abort)했다면 git merge exp로 다시 시작하세요."
        )
    text = git(repo, "show", "HEAD:schedule.txt")
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith(("<<<<<<<", "=======", ">>>>>>>")):
            raise AssertionError(f"schedule.txt {number}번째 줄에 충돌 표시가 남아 있습니다: '{line}'.")
    place = next((line for line in text.split("\n") if line.startswith("장소:")), "")
    missing = [word for word in ("2층 회의실", "온라인") if word not in place]
    if missing:
        raise AssertionError(
            f"장소 줄 '{place}'에 {', '.join(missing)}이(가) 없습니다: 두 사람의 수정을 모두 담으세요."
        )
    if "모임: 목요일 저녁" not in text.split("\n"):
        raise AssertionError("충돌하지 않은 줄 '모임: 목요일 저녁'이 사라졌습니다.")
    return ["병합 커밋의 부모가 master와 exp다", "충돌 표시가 없다", "장소 줄에 두 사람의 수정이 모두 있다"]


def check_push(folder: Path) -> list[str]:
    """origin's master has the teammate's commit (not overwritten) and, on top, mine."""
    folder = Path(folder).resolve()
    root = folder if (folder / "origin.git").is_dir() else folder.parent
    origin, teammate = root / "origin.git", root / "teammate"
    if not origin.is_dir():
        raise AssertionError(
            f"{folder}에도 그 위에도 origin.git이 없습니다: 연습 폴더 ex-push나 그 안의 me를 주세요."
        )
    theirs = git(teammate, "rev-parse", "master")
    published = git(origin, "rev-parse", "master")
    if not _ok(origin, "merge-base", "--is-ancestor", theirs, published):
        raise AssertionError(
            "origin의 master에 팀원의 커밋 '팀원: 모임 일정'이 없습니다: "
            "강제 푸시(--force)가 팀원의 작업을 지웠습니다. "
            "준비 블록을 다시 실행하고, 팀원의 커밋을 받아 합친 뒤 푸시하세요."
        )
    if not any(subject == "나: 다음 주제" for _, _, subject in _commits(origin, "master")):
        raise AssertionError("origin의 master에 내 커밋 '나: 다음 주제'가 없습니다: 아직 푸시하지 않았습니다.")
    return ["origin의 master에 팀원의 커밋이 그대로 있다", "그 위에 내 커밋이 올라갔다"]
# --8<-- [end:collaboration]


def main() -> None:
    print("Git 연습의 채점기:", ", ".join(name for name in globals() if name.startswith("check_")))


if __name__ == "__main__":
    main()
