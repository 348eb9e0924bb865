"""Save and load fitted stance pipelines as plain arrays plus a JSON manifest, never pickle."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from ._files import replaced_on_success
from ._version import __version__
from .errors import ModelLoadError
from .features import PREPROCESSORS

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "model_paths", "read_weights", "write_weights"]

FORMAT_NAME = "stance-model"
FORMAT_VERSION = 3
# Version 1 stored each vocabulary as one UTF-8 blob plus character offsets; slicing
# half a million terms out of it took longer than the rest of loading. Version 2 joins
# the terms with a newline, which no term of stance's vectorizers holds (saving checks),
# and splits them in one call. Version 3 adds ``settings_sha256``, a checksum of the
# labels and the pipeline settings, so that an edited setting is caught as edited weights
# are; versions 1 and 2 load without it.
_TERM_SEPARATOR = "\n"


def _is_ngram_range(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2 and all(type(n) is int for n in value)
            and 1 <= value[0] <= value[1] <= 10)


def _is_number(value: Any) -> bool:
    return type(value) in (int, float) and value >= 0


# The settings a manifest holds, each with the values it may take. Saving writes exactly
# these keys; loading refuses any other key or value. A checksum catches a careless edit,
# not a file made elsewhere with a checksum to match, so this is what keeps a manifest's
# ``input="filename"`` from making the model open files named by its input.
_VECTORIZER_CHECKS: dict[str, Any] = {
    "analyzer": lambda v: v in ("word", "char", "char_wb"),
    "ngram_range": _is_ngram_range,
    "min_df": _is_number,
    "max_df": _is_number,
    "max_features": lambda v: v is None or (type(v) is int and v > 0),
    "sublinear_tf": lambda v: isinstance(v, bool),
    "lowercase": lambda v: isinstance(v, bool),
    # A pattern is code run on every input: only the ones stance's vectorizers use.
    "token_pattern": lambda v: v in (None, r"(?u)\b\w\w+\b", r"(?u)\b\w+\b", r"\S+"),
    "strip_accents": lambda v: v in (None, "ascii", "unicode"),
    "norm": lambda v: v in (None, "l1", "l2"),
    "use_idf": lambda v: isinstance(v, bool),
    "smooth_idf": lambda v: isinstance(v, bool),
    "binary": lambda v: isinstance(v, bool),
    "stop_words": lambda v: v is None or v == "english" or (isinstance(v, list) and all(isinstance(w, str) for w in v)),
    "preprocessor": lambda v: v is None or isinstance(v, str),
}
_CLASSIFIER_CHECKS: dict[str, Any] = {
    "C": lambda v: _is_number(v) and v > 0,
    "class_weight": lambda v: v is None or v == "balanced" or (
        isinstance(v, dict) and all(_is_number(w) for w in v.values())),
    "solver": lambda v: v in ("lbfgs", "newton-cg", "newton-cholesky", "liblinear", "sag", "saga"),
    "max_iter": lambda v: type(v) is int and v > 0,
    "fit_intercept": lambda v: isinstance(v, bool),
    "tol": _is_number,
    "penalty": lambda v: v is None or isinstance(v, str),
}

# A fixed zip timestamp makes the archive a pure function of its arrays.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def model_paths(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Return the ``(.npz, .json)`` pair for a model path given with or without suffix."""
    base = Path(path)
    if base.suffix in (".npz", ".json"):
        base = base.with_suffix("")
    return base.with_name(base.name + ".npz"), base.with_name(base.name + ".json")


def write_weights(pipeline: Pipeline, path: str | os.PathLike[str], *, metadata: dict[str, Any] | None = None) -> Path:
    """Write a fitted pipeline as ``<path>.npz`` (arrays) and ``<path>.json`` (manifest).

    Returns the manifest path. The same fitted arrays always give the same bytes.
    A save that fails (metadata that is not JSON, a full disk) leaves any model
    already at ``path`` as it was.
    """
    arrays, spec = _to_arrays(pipeline)
    npz_path, json_path = model_paths(path)
    npz_path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, arrays[name], allow_pickle=False)
            data = member.getvalue()
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            # Classifier weights barely compress (by about 14%); stored as they are, every
            # process that loads the model skips inflating them (0.144 -> 0.123 s load).
            compressible = len(zlib.compress(data)) < 0.8 * len(data)
            info.compress_type = zipfile.ZIP_DEFLATED if compressible else zipfile.ZIP_STORED
            archive.writestr(info, data)
    payload = buffer.getvalue()
    labels = [str(label) for label in pipeline.classes_]
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "labels": labels,
        "pipeline": spec,
        "settings_sha256": _settings_digest(labels, spec),
        "weights_file": npz_path.name,
        "weights_sha256": hashlib.sha256(payload).hexdigest(),
        "stance_version": __version__,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        **(metadata or {}),
    }
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    # Both files are written in full before either replaces its old self, so a failed
    # save leaves the old pair; a reader between the two renames gets the checksum error.
    with replaced_on_success(npz_path) as npz_temporary, replaced_on_success(json_path) as json_temporary:
        npz_temporary.write_bytes(payload)
        json_temporary.write_bytes(manifest_bytes)
    return json_path


def read_weights(path: str | os.PathLike[str]) -> tuple[Pipeline, dict[str, Any]]:
    """Rebuild a fitted pipeline from a saved model; return it with its manifest.

    Raises
    ------
    ModelLoadError
        If a file is missing, the manifest is not a stance manifest or is of a
        newer format, the labels and settings or the arrays do not match their
        checksum, or the arrays do not describe a stance pipeline. Nothing is ever
        unpickled.
    """
    npz_path, json_path = model_paths(path)
    manifest = _read_manifest(json_path)
    if manifest["format_version"] >= 3:
        digest = _settings_digest(manifest["labels"], manifest["pipeline"])
        if digest != manifest["settings_sha256"]:
            raise ModelLoadError(
                f"The labels and settings in {json_path} do not match their checksum "
                f"(settings_sha256 {digest[:12]}... != {str(manifest['settings_sha256'])[:12]}...); "
                "the manifest is damaged or was edited. Re-copy both files or retrain with `stance train`."
            )
    try:
        payload = npz_path.read_bytes()
    except OSError as exc:
        raise ModelLoadError(f"Cannot read model weights {npz_path}: {exc.strerror or exc}.") from None
    digest = hashlib.sha256(payload).hexdigest()
    if digest != manifest.get("weights_sha256"):
        raise ModelLoadError(
            f"Model weights {npz_path} do not match the checksum in {json_path.name} "
            f"(sha256 {digest[:12]}... != {str(manifest.get('weights_sha256'))[:12]}...); "
            "the file is damaged or was changed. Re-copy both files or retrain with `stance train`."
        )
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except Exception as exc:  # any damage to the archive is one clear load error
        raise ModelLoadError(
            f"Model weights {npz_path} are not a valid stance model ({type(exc).__name__}: {exc})."
        ) from None
    try:
        pipeline = _from_arrays(arrays, manifest["pipeline"], manifest["format_version"])
    except ModelLoadError:
        raise
    except Exception as exc:  # a key or array missing on either side
        raise ModelLoadError(
            f"Model {json_path} and its weights {npz_path.name} do not describe a stance pipeline "
            f"({type(exc).__name__}: {exc}); the manifest or the weights were changed or come from elsewhere."
        ) from None
    labels = [str(label) for label in pipeline.classes_]
    if labels != manifest.get("labels"):
        raise ModelLoadError(
            f"Model {json_path} lists labels {manifest.get('labels')} but its weights hold {labels}."
        )
    return pipeline, manifest


def _read_manifest(json_path: Path) -> dict[str, Any]:
    try:
        raw = json_path.read_bytes()
    except OSError as exc:
        raise ModelLoadError(f"Cannot read model manifest {json_path}: {exc.strerror or exc}.") from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelLoadError(
            f"Model manifest {json_path} is not valid UTF-8 JSON; it is damaged or not a stance model."
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ModelLoadError(
            f"{json_path} is not a stance model manifest (expected \"format\": \"{FORMAT_NAME}\")."
        )
    version = manifest.get("format_version")
    if type(version) is not int or version < 1:
        raise ModelLoadError(f"Model {json_path} has format version {version!r}, which no stance writes.")
    if version > FORMAT_VERSION:
        raise ModelLoadError(
            f"Model {json_path} has format version {version!r}, but this stance {__version__} reads "
            f"versions up to {FORMAT_VERSION}; upgrade ceasefire-stance to load it."
        )
    required = ("labels", "pipeline", "weights_sha256") + (("settings_sha256",) if version >= 3 else ())
    for key in required:
        if key not in manifest:
            raise ModelLoadError(f"Model manifest {json_path} lacks the required key {key!r}.")
    return manifest


def _settings_digest(labels: Any, spec: Any) -> str:
    """The sha256 of a manifest's labels and pipeline settings, as canonical JSON."""
    canonical = json.dumps({"labels": labels, "pipeline": spec}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _to_arrays(pipeline: Pipeline) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    features, clf = _check_structure(pipeline)
    arrays: dict[str, np.ndarray] = {}
    vectorizers = []
    for name, vectorizer in features.transformer_list:
        params = {key: _jsonable(vectorizer.get_params()[key]) for key in _VECTORIZER_CHECKS
                  if key != "preprocessor"}
        params["preprocessor"] = _preprocessor_name(vectorizer.preprocessor)
        terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
        if any(_TERM_SEPARATOR in term for term in terms):
            raise TypeError(f"Cannot save the vectorizer {name!r}: a term of its vocabulary holds a newline.")
        arrays[f"{name}.terms_utf8"] = np.frombuffer(_TERM_SEPARATOR.join(terms).encode("utf-8"), dtype=np.uint8)
        arrays[f"{name}.idf"] = np.asarray(vectorizer.idf_, dtype=np.float64)
        vectorizers.append({"name": name, "params": params})
    arrays["clf.coef"] = _with_union_weights(features, np.asarray(clf.coef_, dtype=np.float64))
    arrays["clf.intercept"] = np.asarray(clf.intercept_, dtype=np.float64)
    arrays["clf.classes"] = np.asarray([str(c) for c in clf.classes_], dtype=np.str_)
    clf_params = clf.get_params()
    spec = {
        "vectorizers": vectorizers,
        # Sentinels such as penalty="deprecated" differ between scikit-learn releases.
        "classifier": {key: _jsonable(clf_params[key]) for key in _CLASSIFIER_CHECKS
                       if key in clf_params and clf_params[key] != "deprecated"},
    }
    return arrays, spec


def _with_union_weights(features: FeatureUnion, coef: np.ndarray) -> np.ndarray:
    # A branch weighted w feeds w * x to the classifier; w * coef on the unweighted x
    # gives the same scores, so the file needs no union weights and loads as before.
    weights = features.transformer_weights or {}
    if not weights:
        return coef
    branches = features.transformer_list
    scale = np.repeat([weights.get(name, 1.0) for name, _ in branches],
                      [len(vectorizer.vocabulary_) for _, vectorizer in branches])
    return coef * scale


def _checked(settings: Any, checks: dict[str, Any], what: str) -> dict[str, Any]:
    if not isinstance(settings, dict):
        raise ModelLoadError(f"The manifest's {what} settings are not a JSON object.")
    for key, value in settings.items():
        check = checks.get(key)
        if check is None:
            raise ModelLoadError(f"The manifest sets {key!r} on the {what}, which stance never writes; "
                                 "the manifest was changed or comes from elsewhere.")
        if not check(value):
            raise ModelLoadError(f"The manifest sets {what} {key}={value!r}, which is not a valid value.")
    return dict(settings)


def _from_arrays(arrays: dict[str, np.ndarray], spec: dict[str, Any], version: int) -> Pipeline:
    transformers = []
    for entry in spec["vectorizers"]:
        name, params = entry["name"], _checked(entry["params"], _VECTORIZER_CHECKS, f"vectorizer {entry['name']!r}")
        preprocessor = params.pop("preprocessor", None)
        if preprocessor is not None and preprocessor not in PREPROCESSORS:
            raise ModelLoadError(
                f"The model needs the text preprocessor {preprocessor!r}, which this version of "
                f"stance does not have (known: {sorted(PREPROCESSORS)})."
            )
        params["ngram_range"] = tuple(params["ngram_range"])
        vectorizer = TfidfVectorizer(
            **params, preprocessor=PREPROCESSORS.get(preprocessor), dtype=np.float64
        )
        if version == 1:
            terms = _sliced_terms(arrays[f"{name}.terms_utf8"], arrays[f"{name}.terms_offsets"])
        else:
            terms = _split_terms(arrays[f"{name}.terms_utf8"])
        idf = arrays[f"{name}.idf"]
        if idf.shape != (len(terms),):
            raise ModelLoadError(f"Vocabulary and idf of {name!r} differ in length.")
        vectorizer.vocabulary_ = dict(zip(terms, range(len(terms))))
        if len(vectorizer.vocabulary_) != len(terms):
            raise ModelLoadError(f"The vocabulary of {name!r} holds duplicate terms.")
        vectorizer.idf_ = idf
        transformers.append((name, vectorizer))
    # Prediction needs only the arrays; settings this scikit-learn does not know are dropped.
    known = LogisticRegression().get_params()
    settings = _checked(spec["classifier"], _CLASSIFIER_CHECKS, "classifier")
    clf = LogisticRegression(**{k: v for k, v in settings.items() if k in known and v != "deprecated"})
    coef, intercept, classes = arrays["clf.coef"], arrays["clf.intercept"], arrays["clf.classes"]
    n_features = sum(len(v.vocabulary_) for _, v in transformers)
    n_rows = 1 if len(classes) == 2 else len(classes)  # a binary model keeps one row of weights
    if coef.shape != (n_rows, n_features) or intercept.shape != (n_rows,):
        raise ModelLoadError(
            f"Classifier arrays have shapes {coef.shape} and {intercept.shape}, expected "
            f"({n_rows}, {n_features}) and ({n_rows},)."
        )
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
        raise ModelLoadError("Classifier weights hold NaN or infinite values.")
    clf.coef_, clf.intercept_ = coef, intercept
    clf.classes_ = np.asarray(classes.tolist(), dtype=object)
    clf.n_features_in_ = n_features
    return Pipeline([("features", FeatureUnion(transformers)), ("clf", clf)])


def _split_terms(blob: np.ndarray) -> list[str]:
    if blob.dtype != np.uint8 or blob.ndim != 1:
        raise ModelLoadError("The vocabulary array has the wrong type.")
    return blob.tobytes().decode("utf-8").split(_TERM_SEPARATOR)


def _sliced_terms(blob: np.ndarray, offsets: np.ndarray) -> list[str]:
    """Read a format-1 vocabulary: one blob of terms and their character offsets."""
    if blob.dtype != np.uint8 or offsets.ndim != 1 or offsets.dtype.kind not in "iu":
        raise ModelLoadError("The vocabulary arrays have the wrong type.")
    text = blob.tobytes().decode("utf-8")
    if offsets.size == 0 or offsets[0] != 0 or offsets[-1] != len(text) or np.any(offsets[1:] < offsets[:-1]):
        raise ModelLoadError("The vocabulary offsets do not fit the vocabulary text.")
    bounds = offsets.tolist()
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


def _check_structure(pipeline: Pipeline) -> tuple[FeatureUnion, LogisticRegression]:
    steps = getattr(pipeline, "steps", None)
    if (
        not isinstance(pipeline, Pipeline)
        or [name for name, _ in steps] != ["features", "clf"]
        or not isinstance(steps[0][1], FeatureUnion)
        or not isinstance(steps[1][1], LogisticRegression)
        or not all(isinstance(t, TfidfVectorizer) for _, t in steps[0][1].transformer_list)
    ):
        raise TypeError(
            "Only pipelines built by stance.make_pipeline() can be saved: "
            "Pipeline([('features', FeatureUnion of TfidfVectorizer), ('clf', LogisticRegression)])."
        )
    return steps[0][1], steps[1][1]


def _preprocessor_name(preprocessor: Any) -> str | None:
    if preprocessor is None:
        return None
    for name, function in PREPROCESSORS.items():
        if function == preprocessor:
            return name
    raise TypeError(
        f"Cannot save a vectorizer with preprocessor {preprocessor!r}: only the named "
        f"preprocessors {sorted(PREPROCESSORS)} can be described without pickle."
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    raise TypeError(f"Cannot save parameter value {value!r} without pickle.")
