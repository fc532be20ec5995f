"""Tests for service.core.vcs against real git repositories in tmp_path (no mocks of git)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import git
import pytest

from service.core.vcs import GitError, Identity, Repository

ROOT = Path(__file__).parents[2]
SERVICE = Identity("Chorus", "chorus@example.org")
ANA = Identity("Ana Lima", "ana@example.org")
BO = Identity("Bo Chen", "bo@example.org")
CY = Identity("Cy Okafor", "cy@example.org")
PO = b'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\nmsgctxt "1"\nmsgid "Hello"\nmsgstr "Bonjour"\n'


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the tester's git configuration and any hook's GIT_DIR/GIT_INDEX_FILE out."""
    for name in [name for name in os.environ if name.startswith("GIT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def run_git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True, timeout=30
    ).stdout


def init(folder: Path, *, bare: bool = False) -> Path:
    repository = git.Repo.init(folder, bare=bare, initial_branch="main")
    with repository, repository.config_writer() as config:
        config.set_value("user", "name", "A Person")
        config.set_value("user", "email", "person@example.org")
    return folder


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A content work tree with one commit holding README.md and source/a.md."""
    root = init(tmp_path / "content")
    (root / "source").mkdir()
    (root / "README.md").write_text("# Articles\n")
    (root / "source" / "a.md").write_text("# A\n\nHello.\n")
    run_git(root, "add", "README.md", "source/a.md")
    run_git(root, "commit", "-q", "-m", "Initial")
    return root


@pytest.fixture
def repository(work: Path) -> Repository:
    return Repository(work, SERVICE)


def count(root: Path) -> int:
    return int(run_git(root, "rev-list", "--count", "HEAD"))


def test_author_committer_and_deduplicated_trailers(work: Path, repository: Repository) -> None:
    bo_again = Identity("Bo C.", "BO@example.org")
    sha = repository.commit(
        {"po/a/fr.po": PO}, "Publish fr translation of a", ANA, [BO, ANA, CY, bo_again, CY]
    )

    assert sha == run_git(work, "rev-parse", "HEAD").strip()
    people = run_git(work, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip()
    assert people == f"{ANA}|{SERVICE}"
    message = run_git(work, "log", "-1", "--format=%B").rstrip("\n")
    assert message == (
        "Publish fr translation of a\n\n"
        "Co-authored-by: Bo Chen <bo@example.org>\n"
        "Co-authored-by: Cy Okafor <cy@example.org>"
    )
    parsed = subprocess.run(
        ["git", "interpret-trailers", "--parse"],
        input=message,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert parsed == [f"Co-authored-by: {BO}", f"Co-authored-by: {CY}"]


def test_no_co_authors_means_no_trailer(work: Path, repository: Repository) -> None:
    repository.commit({"po/a/fr.po": PO}, "Publish fr", ANA, [ANA])
    assert run_git(work, "log", "-1", "--format=%B").strip() == "Publish fr"


def test_only_the_given_paths_are_committed(work: Path, repository: Repository) -> None:
    repository.commit({"po/x/de.po": b"de 1\n"}, "Publish de", ANA)
    (work / "README.md").write_text("# Articles, staged by a person\n")
    (work / "po" / "x" / "de.po").write_text("de 2, staged by a person\n")
    run_git(work, "add", "README.md", "po/x/de.po")
    (work / "source" / "a.md").write_text("# A\n\nEdited, not staged.\n")
    (work / "notes.txt").write_text("untracked\n")
    before = run_git(work, "status", "--porcelain").splitlines()
    staged_before = run_git(work, "diff", "--cached")

    sha = repository.commit({"po/x/fr.po": PO}, "Publish fr", ANA)

    assert sha is not None
    assert run_git(work, "show", "--format=", "--name-only", sha).split() == ["po/x/fr.po"]
    after = run_git(work, "status", "--porcelain").splitlines()
    assert [line for line in after if "po/x/fr.po" not in line] == before
    assert before == ["M  README.md", "M  po/x/de.po", " M source/a.md", "?? notes.txt"]
    assert run_git(work, "diff", "--cached") == staged_before
    assert (work / "source" / "a.md").read_text() == "# A\n\nEdited, not staged.\n"
    assert repository.read_head("po/x/de.po") == b"de 1\n"


@pytest.mark.parametrize(
    "path",
    [
        "source/a.md",
        "../x",
        "/etc/passwd",
        "po/../source/a.md",
        "po",
        "po/",
        "",
        ".",
        "po/.git/config",
        "po\\x\\fr.po",
        "README.md",
    ],
)
def test_paths_outside_po_are_refused_and_nothing_is_written(
    work: Path, repository: Repository, path: str
) -> None:
    head = repository.head()
    before = run_git(work, "status", "--porcelain", "--untracked-files=all")
    with pytest.raises(ValueError):
        repository.commit({"po/a/fr.po": PO, path: b"evil\n"}, "Publish", ANA)
    assert repository.head() == head
    assert run_git(work, "status", "--porcelain", "--untracked-files=all") == before
    assert not (work / "po").exists()
    assert not (work.parent / "x").exists()
    assert (work / "source" / "a.md").read_text() == "# A\n\nHello.\n"


def test_an_empty_message_is_refused_before_writing(work: Path, repository: Repository) -> None:
    with pytest.raises(ValueError):
        repository.commit({"po/a/fr.po": PO}, " \n", ANA)
    assert not (work / "po").exists()


def test_a_symlink_out_of_po_is_refused(work: Path, repository: Repository) -> None:
    outside = work.parent / "outside"
    outside.mkdir()
    (work / "po").mkdir()
    (work / "po" / "link").symlink_to(outside)
    with pytest.raises(ValueError):
        repository.commit({"po/link/fr.po": PO}, "Publish", ANA)
    assert list(outside.iterdir()) == []


def test_identical_content_commits_once(work: Path, repository: Repository) -> None:
    start = count(work)
    first = repository.commit({"po/a/fr.po": PO, "po/./a/de.po": PO}, "Publish", ANA)
    again = repository.commit({"po/a/de.po": PO, "po/a/fr.po": PO}, "Publish", BO)
    assert first is not None and again is None
    assert count(work) == start + 1
    assert repository.head() == first
    assert run_git(work, "status", "--porcelain") == ""


def test_the_first_commit_of_an_empty_repository(tmp_path: Path) -> None:
    root = init(tmp_path / "empty")
    repository = Repository(root, SERVICE)
    assert repository.head() is None
    assert repository.read_head("po/a/fr.po") is None
    sha = repository.commit({"po/a/fr.po": PO}, "Publish fr", ANA)
    assert sha is not None and repository.head() == sha
    assert count(root) == 1
    assert repository.commit({"po/a/fr.po": PO}, "Publish fr", ANA) is None


def test_read_head_gives_the_exact_bytes(repository: Repository) -> None:
    data = b"no strip\n\n\n\x00\xff"
    repository.commit({"po/a/fr.po": data}, "Publish", ANA)
    (repository.root / "po" / "a" / "fr.po").write_bytes(b"changed in the work tree\n")
    assert repository.read_head("po/a/fr.po") == data
    assert repository.read_head("po/a") is None  # a folder, not a file
    assert repository.read_head("po/a/de.po") is None
    assert repository.read_head("source/a.md") == b"# A\n\nHello.\n"
    with pytest.raises(ValueError):
        repository.read_head("../x")


def test_a_stale_index_lock_is_removed(work: Path) -> None:
    repository = Repository(work, SERVICE, stale_lock_after=600)
    index_lock = work / ".git" / "index.lock"
    index_lock.write_bytes(b"")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(index_lock, (two_hours_ago, two_hours_ago))
    assert repository.commit({"po/a/fr.po": PO}, "Publish", ANA) is not None
    assert not index_lock.exists()


def test_a_fresh_index_lock_fails_until_it_is_gone(work: Path, repository: Repository) -> None:
    index_lock = work / ".git" / "index.lock"
    index_lock.write_bytes(b"")
    start = count(work)
    with pytest.raises(GitError, match=r"locked by another git process \(index\.lock\)"):
        repository.commit({"po/a/fr.po": PO}, "Publish", ANA)
    assert index_lock.exists()
    assert count(work) == start
    index_lock.unlink()
    assert repository.commit({"po/a/fr.po": PO}, "Publish", ANA) is not None
    assert count(work) == start + 1


def test_not_a_work_tree(tmp_path: Path, work: Path) -> None:
    with pytest.raises(GitError, match="does not exist"):
        Repository(tmp_path / "missing", SERVICE)
    (tmp_path / "plain").mkdir()
    with pytest.raises(GitError, match="is not a git repository"):
        Repository(tmp_path / "plain", SERVICE)
    with pytest.raises(GitError, match="is not a git repository"):
        Repository(work / "source", SERVICE)
    with pytest.raises(GitError):
        Repository(init(tmp_path / "bare.git", bare=True), SERVICE)


def test_push_to_a_bare_repository(tmp_path: Path, repository: Repository) -> None:
    bare = init(tmp_path / "published.git", bare=True)
    sha = repository.commit({"po/a/fr.po": PO}, "Publish", ANA)
    repository.push(str(bare))
    assert run_git(bare, "rev-parse", "HEAD").strip() == sha


def test_a_failed_push_says_why_and_keeps_the_commit(
    tmp_path: Path, repository: Repository
) -> None:
    sha = repository.commit({"po/a/fr.po": PO}, "Publish", ANA)
    started = time.monotonic()
    with pytest.raises(GitError, match=r"push to .*nowhere\.git failed: .*not appear to be a git"):
        repository.push(str(tmp_path / "nowhere.git"), timeout=10)
    assert time.monotonic() - started < 5
    assert repository.head() == sha
    assert repository.read_head("po/a/fr.po") == PO


def test_a_push_never_outlives_its_timeout(
    tmp_path: Path, work: Path, repository: Repository
) -> None:
    bare = init(tmp_path / "slow.git", bare=True)
    run_git(work, "remote", "add", "slow", str(bare))
    run_git(work, "config", "remote.slow.receivepack", "sleep 30; git-receive-pack")
    repository.commit({"po/a/fr.po": PO}, "Publish", ANA)
    started = time.monotonic()
    with pytest.raises(GitError, match="push to slow failed: no answer within 1 s"):
        repository.push("slow", timeout=1)
    assert time.monotonic() - started < 5


def test_the_lock_is_reentrant_and_guards_mutations(repository: Repository) -> None:
    with repository.lock(), repository.lock():
        assert repository.commit({"po/a/fr.po": PO}, "Publish", ANA) is not None
    with pytest.raises(RuntimeError, match="without its lock"):
        repository._run("add", "--", "po/a/fr.po")


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from service.core.vcs import Identity, Repository
    root, lang, go = sys.argv[1:4]
    repository = Repository(root, Identity("Chorus", "chorus@example.org"))
    print("ready", flush=True)
    while not Path(go).exists():
        time.sleep(0.01)
    path = f"po/a/{lang}.po"
    author = Identity(lang, f"{lang}@example.org")
    print(repository.commit({path: lang.encode() + b"\\n"}, f"Publish {lang}", author))
    """
)

HOLDER = textwrap.dedent(
    """
    import sys
    from service.core.vcs import Identity, Repository
    repository = Repository(sys.argv[1], Identity("Chorus", "chorus@example.org"))
    with repository.lock():
        print("held", flush=True)
        sys.stdin.read()
    """
)


def python(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_concurrent_processes_all_land(tmp_path: Path, work: Path) -> None:
    languages = ["ar", "bn", "de", "es", "fr", "hi", "ja", "sw"]
    go = tmp_path / "go"
    children = [python(CHILD, str(work), lang, str(go)) for lang in languages]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        go.touch()
        shas = []
        for child in children:
            out, err = child.communicate(timeout=60)
            assert child.returncode == 0, err
            shas.append(out.strip())
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.communicate()
    assert len(set(shas)) == 8 and all(len(sha) == 40 for sha in shas)
    assert count(work) == 8 + 1
    tree = run_git(work, "ls-tree", "-r", "--name-only", "HEAD", "po/a").split()
    assert tree == [f"po/a/{lang}.po" for lang in languages]
    fsck = subprocess.run(
        ["git", "fsck", "--strict"], cwd=work, capture_output=True, text=True, timeout=30
    )
    assert fsck.returncode == 0 and "error" not in fsck.stdout + fsck.stderr
    assert run_git(work, "status", "--porcelain") == ""


def test_a_busy_lock_fails_within_its_timeout(work: Path) -> None:
    holder = python(HOLDER, str(work))
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        repository = Repository(work, SERVICE, lock_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(GitError, match="busy"):
            repository.commit({"po/a/fr.po": PO}, "Publish", ANA)
        assert 0.5 <= time.monotonic() - started < 1.5
        assert not (work / "po").exists()
    finally:
        holder.communicate(input="", timeout=30)
    assert holder.returncode == 0
    assert repository.commit({"po/a/fr.po": PO}, "Publish", ANA) is not None


@pytest.mark.parametrize(
    ("name", "email"),
    [("", "a@example.org"), ("Ana", " "), ("Ana <x>", "a@example.org"), ("Ana\nB", "a@b")],
)
def test_unusable_identities_are_refused(name: str, email: str) -> None:
    with pytest.raises(ValueError):
        Identity(name, email)


def test_identity_reads_as_git_writes_it() -> None:
    assert str(ANA) == "Ana Lima <ana@example.org>"
