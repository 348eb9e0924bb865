"""Scoring on a real Dask LocalCluster gives the local results, and survives a dead worker."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

if os.environ.get("CI"):
    import dask  # noqa: F401  (CI installs the dask extra; a missing one must fail, not skip)
    import distributed  # noqa: F401
dd = pytest.importorskip("dask.dataframe", reason="needs the dask extra: pip install -e '.[dask,test]'")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

from stance import Document  # noqa: E402
from stance.cli import main  # noqa: E402
from stance.cluster import score_bag, score_dataframe, score_files  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning",
                                        "ignore::pytest.PytestUnraisableExceptionWarning")


def local_cluster():
    return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                    dashboard_address=":0", silence_logs=50)


@pytest.fixture(scope="module")
def client():
    with local_cluster() as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def documents(seed_text, corpus):
    texts = [" ".join(corpus.texts[i:i + 7]) for i in range(0, 1400, 7)] + [seed_text]
    return [Document(f"doc-{i}", text) for i, text in enumerate(texts)]


def local_rows(model, documents):
    rows = []
    for records in model.score_documents(documents):
        for r in records:
            rows.append((r.doc_id, r.index, r.start, r.end, r.label,
                         *(r.probabilities[label] for label in model.labels), r.text))
    return rows


def test_dataframe_matches_local(client, model, documents):
    frame = pd.DataFrame({"id": [d.id for d in documents], "text": [d.text for d in documents]})
    result = score_dataframe(dd.from_pandas(frame, npartitions=4), id_column="id").compute()
    assert [tuple(row) for row in result.itertuples(index=False)] == local_rows(model, documents)
    summaries = score_dataframe(dd.from_pandas(frame, npartitions=3), id_column="id",
                                per_document=True).compute()
    assert list(summaries["doc_id"]) == [d.id for d in documents]
    assert (summaries[[f"n_{l}" for l in model.labels]].sum(axis=1) == summaries["n_sentences"]).all()


def test_bag_matches_local(client, model, documents):
    import dask.bag as db

    rows = score_bag(db.from_sequence(documents, npartitions=5)).compute()
    assert [(r["doc_id"], r["index"], r["label"]) for r in rows] == [row[:2] + row[4:5] for row in
                                                                      local_rows(model, documents)]


def _write_parts(tmp_path, documents, n_parts):
    paths = []
    for part in range(n_parts):
        path = tmp_path / f"part-{part:02d}.jsonl"
        with open(path, "w", encoding="utf-8") as handle:
            for document in documents[part::n_parts]:
                handle.write(json.dumps({"id": document.id, "text": document.text}) + "\n")
            handle.write('{"id": "broken"\n')
        paths.append(path)
    return paths


def test_cli_on_the_cluster_accounts_for_every_record(client, model, documents, tmp_path, capsys):
    paths = _write_parts(tmp_path, documents, 3)
    errors = tmp_path / "errors.jsonl"
    code = main(["score", *map(str, paths), "--scheduler", client.scheduler.address,
                 "-o", str(tmp_path / "out"), "--errors", str(errors)])
    assert code == 1
    scored_ids = set()
    for path in paths:
        local = [r.to_dict() for records in model.score_documents(
            Document(json.loads(line)["id"], json.loads(line)["text"])
            for line in path.read_text().splitlines() if "text" in line) for r in records]
        remote = [json.loads(line) for line in (tmp_path / "out" / f"{path.name}.scored.jsonl").open()]
        assert remote == local
        scored_ids |= {row["doc_id"] for row in remote}
    reported = [json.loads(line) for line in errors.open()]
    assert len(reported) == 3 and all(e["error"].startswith("malformed JSON") for e in reported)
    assert scored_ids == {d.id for d in documents}


def test_a_killed_worker_loses_nothing(model, documents, tmp_path):
    with local_cluster() as cluster:
        with distributed.Client(cluster) as client:
            paths = _write_parts(tmp_path, documents * 3, 8)
            futures = client.submit(lambda: None)  # make sure the workers are up
            futures.result()
            victim = sorted(client.scheduler_info()["workers"])[0]

            def kill_soon():
                import threading
                import time

                threading.Thread(target=lambda: (time.sleep(1.0), os._exit(1)), daemon=True).start()

            client.run(kill_soon, workers=[victim])
            results = score_files(client, paths, tmp_path / "out")
            assert victim not in client.scheduler_info()["workers"]  # it really died mid-run
    assert [r.n_documents for r in results] == [len((documents * 3)[i::8]) for i in range(8)]
    assert all(len(r.errors) == 1 for r in results)
    total = sum(1 for p in (tmp_path / "out").iterdir() for _ in p.open())
    assert total == sum(len(records) for records in model.score_documents(documents * 3))


@pytest.mark.parametrize("per_document", [False, True], ids=["sentences", "summaries"])
def test_parquet_partitions_hold_the_same_rows(model, tmp_path, per_document):
    pq = pytest.importorskip("pyarrow.parquet")
    from stance.cluster import _score_file

    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "We reject the truce. Talks resume."}\n{"id": "b"\n', encoding="utf-8")
    options = dict(model_path=None, format="auto", output_format="parquet", text_field="text", id_field="id",
                   encoding_errors="strict", per_document=per_document, batch_size=4, labels=None,
                   min_confidence=0.0)
    result = _score_file(str(source), "in.jsonl", str(tmp_path / "out.parquet"), options)
    table = pq.read_table(tmp_path / "out.parquet").to_pylist()
    records = model.score_document("We reject the truce. Talks resume.", doc_id="a")
    assert result.errors == ((2, result.errors[0][1]),) and result.errors[0][1].startswith("malformed JSON")
    if per_document:
        assert [row["n_sentences"] for row in table] == [len(records)]
    else:
        assert [(row["doc_id"], row["label"], row["text"]) for row in table] == \
            [(r.doc_id, r.label, r.text) for r in records]


def test_missing_texts_in_a_dataframe_are_empty_documents(client, model):
    frame = pd.DataFrame({"id": ["a", "b", "c", "d"],
                          "text": ["We reject the truce.", None, float("nan"), "Talks resume today."]})
    rows = score_dataframe(dd.from_pandas(frame, npartitions=2), id_column="id").compute()
    assert list(rows["doc_id"]) == ["a", "d"]
    summaries = score_dataframe(dd.from_pandas(frame, npartitions=2), id_column="id", per_document=True).compute()
    assert list(summaries["doc_id"]) == ["a", "b", "c", "d"]
    assert list(summaries["n_sentences"]) == [1, 0, 0, 1]


def test_a_relative_model_path_means_the_callers_directory(client, tiny_model, tmp_path, monkeypatch):
    tiny_model.save(tmp_path / "small")
    monkeypatch.chdir(tmp_path)  # the workers started elsewhere and stay there
    frame = pd.DataFrame({"text": ["We reject the truce.", "Talks resume today."]})
    rows = score_dataframe(dd.from_pandas(frame, npartitions=1), model_path="small").compute()
    expected = [r.probabilities for text in frame["text"] for r in tiny_model.score_document(text)]
    assert [{label: row[f"p_{label}"] for label in tiny_model.labels} for _, row in rows.iterrows()] == expected
    paths = _write_parts(tmp_path, [Document("x", "We reject the truce.")], 1)
    results = score_files(client, [paths[0].name], "out", model_path="small")
    assert results[0].n_records == 1 and results[0].source == paths[0].name


def test_ids_and_errors_name_inputs_as_given_like_local_scoring(client, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("part.jsonl").write_text('{"text": "We reject the truce."}\n{"text": 3}\n{"text": "Talks resume."}\n',
                                  encoding="utf-8")
    assert main(["score", "part.jsonl", "-o", "local.jsonl", "--quiet"]) == 1
    local_err = capsys.readouterr().err
    assert main(["score", "part.jsonl", "--scheduler", client.scheduler.address, "-o", "out", "--quiet"]) == 1
    assert capsys.readouterr().err == local_err
    assert "stance: error: part.jsonl:2:" in local_err
    remote = Path("out/part.jsonl.scored.jsonl").read_text(encoding="utf-8")
    assert remote == Path("local.jsonl").read_text(encoding="utf-8")
    assert [json.loads(line)["doc_id"] for line in remote.splitlines()] == ["part.jsonl:1", "part.jsonl:3"]
