"""Git publication: the only code in Chorus that touches git.

What goes in: the content folder (a git work tree), the service's committer identity, and
finished catalogs as ``{"po/<slug>/<lang>.po": bytes}``. What comes out: one commit per call.
What is promised:

1. Nothing mutates the repository unless this process holds the repository lock, a
   ``flock`` on ``<git-dir>/chorus.lock`` shared by every Chorus process; a mutating git
   call made without it is a programming error (``RuntimeError``), as in Weblate's
   ``weblate/vcs/base.py``. The lock is re-entrant within one thread of one ``Repository``.
2. Only files under ``po/`` are ever written or committed, with ``git commit --only``:
   whatever else a person has staged, modified or left untracked stays exactly as it was.
   Any other path is a ``ValueError`` before anything is written.
3. Each file is written atomically; the commit's author is the translator, its committer
   the service, and every other contributor gets one ``Co-authored-by:`` trailer.
4. Committing content that HEAD already holds makes no commit and returns ``None``.
5. A ``.git/index.lock`` older than ``stale_lock_after`` is left over from a crashed git and
   is removed; a fresh one means a person's git is working, and the call fails so that the
   caller retries later.
6. Git never prompts, never reads pathspecs as patterns, and a push never outlives its
   timeout. Every failure is a ``GitError`` with one line saying why, in git's words.
"""

from __future__ import annotations

import fcntl
import os
import posixpath
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import git

from service.core.errors import ChorusError
from service.core.files import atomic_write

PUBLISHED = "po"
BAD_IDENTITY_CHARACTERS = frozenset("<>\n\r\0")


class GitError(ChorusError):
    """Git refused or failed; the message is one line meant for a person."""


@dataclass(frozen=True)
class Identity:
    """A person (or the service) as git records them."""

    name: str
    email: str

    def __post_init__(self) -> None:
        for value in (self.name, self.email):
            if not value.strip() or BAD_IDENTITY_CHARACTERS & set(value):
                raise ValueError(f"not usable as a git identity: {self.name!r} <{self.email!r}>")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Repository:
    """A git work tree that Chorus publishes translations into."""

    def __init__(
        self,
        root: str | Path,
        committer: Identity,
        *,
        lock_timeout: float = 60.0,
        stale_lock_after: float = 600.0,
    ) -> None:
        """Open the work tree at ``root``; raises GitError if it is missing or not one."""
        self.root = Path(root).absolute()
        if not self.root.is_dir():
            raise GitError(f"{self.root} does not exist or is not a folder")
        try:
            with git.Repo(self.root) as repo:
                git_dir, work_tree = Path(repo.git_dir), repo.working_tree_dir
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitError(f"{self.root} is not a git repository") from None
        if work_tree is None or Path(work_tree).resolve() != self.root.resolve():
            raise GitError(f"{self.root} is not the top of a git work tree")
        self.committer = committer
        self.lock_timeout = lock_timeout
        self.stale_lock_after = stale_lock_after
        self._git_dir = git_dir
        self._git = git.Git(self.root)
        # Pinned so that a caller's own GIT_DIR or GIT_INDEX_FILE (say, from inside a hook)
        # can never point our git calls at another repository or index.
        self._env = {
            "GIT_DIR": str(git_dir),
            "GIT_WORK_TREE": str(self.root),
            "GIT_INDEX_FILE": str(git_dir / "index"),
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_LITERAL_PATHSPECS": "1",
        }
        self._held = threading.local()

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the inter-process repository lock; raises GitError when it stays busy."""
        if getattr(self._held, "depth", 0):
            self._held.depth += 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        # A descriptor of our own per acquisition: flock then also excludes other threads.
        path = self._git_dir / "chorus.lock"
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise GitError(
                            f"repository {self.root} is busy: another Chorus process has held"
                            f" its lock for over {self.lock_timeout:g} s"
                        ) from None
                    time.sleep(0.05)
            self._held.depth = 1
            try:
                yield
            finally:
                self._held.depth = 0
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            os.close(descriptor)

    def commit(
        self,
        files: Mapping[str, bytes],
        message: str,
        author: Identity,
        co_authors: Sequence[Identity] = (),
    ) -> str | None:
        """Write and commit ``files``; return the new sha, or None when HEAD already has them.

        Raises ValueError for a path outside ``po/`` or an empty message (nothing written),
        and GitError when git fails, the lock stays busy or another git holds the index.
        """
        contents: dict[str, bytes] = {}
        for name, data in files.items():
            path = self._published_path(name)
            if contents.get(path, data) != data:
                raise ValueError(f"{name!r} is given twice with different contents")
            contents[path] = data
        full_message = _with_trailers(message, author, co_authors)  # ValueError before writing
        if not contents:
            return None
        paths = sorted(contents)
        with self.lock():
            self._clear_stale_index_lock()
            for path, data in contents.items():
                atomic_write(self.root / path, data)
            self._run("add", "--", *paths)
            if self.head() is not None:
                status, _ = self._run(
                    "diff", "--cached", "--quiet", "HEAD", "--", *paths, check=False
                )
                if status == 0:
                    return None
            identities = {
                "GIT_AUTHOR_NAME": author.name,
                "GIT_AUTHOR_EMAIL": author.email,
                "GIT_COMMITTER_NAME": self.committer.name,
                "GIT_COMMITTER_EMAIL": self.committer.email,
            }
            self._run(
                *("-c", "commit.gpgsign=false", "commit", "--only", "--no-verify"),
                *("--cleanup=whitespace", "-m", full_message),
                *("--", *paths),
                env=identities,
            )
            return self.head()

    def push(self, remote: str, *, timeout: float = 60.0) -> None:
        """Push HEAD to ``remote`` (a remote's name, a URL or a path); raises GitError."""
        if not remote or remote.startswith("-"):
            raise ValueError(f"not a remote: {remote!r}")
        with self.lock():
            self._run("push", remote, "HEAD", timeout=timeout, failure=f"push to {remote}")

    def read_head(self, path: str) -> bytes | None:
        """The file's content at HEAD; None without such a file or without any commit."""
        return self.read_at("HEAD", path) if self.head() is not None else None

    def read_at(self, commit: str, path: str) -> bytes | None:
        """The file's content in ``commit``; None without such a file there.

        Raises GitError when ``commit`` names no commit of this repository.
        """
        path = _normalised(path)
        if not commit or commit.startswith("-"):
            raise ValueError(f"not a commit: {commit!r}")
        status, _ = self._run("cat-file", "-e", f"{commit}^{{commit}}", mutates=False, check=False)
        if status != 0:
            raise GitError(f"{self.root} has no commit {commit}")
        _, listing = self._run("ls-tree", "-z", commit, "--", path, mutates=False)
        entry = listing.rstrip(b"\0").split(b"\t", 1)[0].split()
        if len(entry) != 3 or entry[1] != b"blob":
            return None
        return self._run("cat-file", "blob", entry[2].decode("ascii"), mutates=False)[1]

    def last_commit(self, path: str) -> str | None:
        """The newest commit that changed ``path`` (from HEAD), or None."""
        path = _normalised(path)
        if self.head() is None:
            return None
        _, out = self._run("log", "-1", "--format=%H", "HEAD", "--", path, mutates=False)
        return out.decode("ascii").strip() or None

    def head(self) -> str | None:
        """The sha HEAD points to, or None before the first commit."""
        status, out = self._run(
            "rev-parse", "--verify", "--quiet", "HEAD^{commit}", mutates=False, check=False
        )
        return out.decode("ascii").strip() if status == 0 else None

    def _published_path(self, name: str) -> str:
        path = _normalised(name)
        parts = path.split("/")
        target = (self.root / path).resolve()
        if (
            len(parts) < 2
            or parts[0] != PUBLISHED
            or ".git" in (part.lower() for part in parts)
            or not target.is_relative_to(self.root.resolve() / PUBLISHED)
        ):
            raise ValueError(f"{name!r} is not a file under {PUBLISHED}/")
        return path

    def _clear_stale_index_lock(self) -> None:
        index_lock = self._git_dir / "index.lock"
        try:
            age = time.time() - index_lock.stat().st_mtime
        except FileNotFoundError:
            return
        if age < self.stale_lock_after:
            raise self._index_locked()
        with suppress(FileNotFoundError):
            index_lock.unlink()

    def _index_locked(self) -> GitError:
        return GitError(f"repository {self.root} is locked by another git process (index.lock)")

    def _run(
        self,
        *args: str,
        mutates: bool = True,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        failure: str | None = None,
    ) -> tuple[int, bytes]:
        """Run git with ``args``; return its status and raw stdout. Raises GitError."""
        if mutates and not getattr(self._held, "depth", 0):
            raise RuntimeError(f"git {args[0]} would change {self.root} without its lock held")
        try:
            status, out, err = self._git.execute(
                [git.Git.GIT_PYTHON_GIT_EXECUTABLE or "git", *args],
                env={**self._env, **(env or {})},
                kill_after_timeout=timeout,
                with_extended_output=True,
                with_exceptions=False,
                stdout_as_string=False,
                strip_newline_in_stdout=False,
            )
        except git.GitCommandNotFound:
            raise GitError("git is not installed or not on PATH") from None
        if check and status != 0:
            reason = _reason(err, timeout)  # GitPython always decodes stderr
            if "index.lock" in reason:
                raise self._index_locked()
            raise GitError(f"{failure or 'git ' + args[0]} failed: {reason}")
        return status, out


def _normalised(name: str) -> str:
    path = posixpath.normpath(name) if name else "."
    outside = path.startswith("/") or path == ".." or path.startswith("../")
    if path == "." or outside or "\\" in name or "\0" in name:
        raise ValueError(f"{name!r} is not a relative path inside the repository")
    return path


def _with_trailers(message: str, author: Identity, co_authors: Sequence[Identity]) -> str:
    """``message`` plus one Co-authored-by trailer per other contributor, by email."""
    if not message.strip():
        raise ValueError("a commit message cannot be empty")
    seen = {author.email.casefold()}
    trailers = []
    for person in co_authors:
        if person.email.casefold() not in seen:
            seen.add(person.email.casefold())
            trailers.append(f"Co-authored-by: {person}")
    return message.rstrip() + ("\n\n" + "\n".join(trailers) if trailers else "") + "\n"


def _reason(stderr: str, timeout: float | None) -> str:
    """The line of git's stderr that says why: its first fatal/error/rejection line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if lines and lines[-1].startswith("Timeout:"):  # GitPython killed it
        return f"no answer within {timeout:g} s"
    for line in lines:
        for prefix in ("fatal: ", "error: ", "! "):
            if line.startswith(prefix):
                return line.removeprefix("fatal: ").removeprefix("error: ")
    useful = [line for line in lines if not line.startswith("hint:")]
    return useful[-1] if useful else "git gave no reason"
