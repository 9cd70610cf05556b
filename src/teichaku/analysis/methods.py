"""The methods paragraph (ja/en) that states every convention of the fitted models and the
direction of every ratio, generated from the model specifications, the settings and the
coefficients table (its ``se_convention`` column), so that it cannot disagree with them.

One sentence per model type that is fitted, in the order of ``SENTENCES``; the imputation
sentence when a model imputes; the confidence level. ``numbers.json`` carries the paragraph
(``methods_paragraph``) and the summary prints it.
"""

from __future__ import annotations

import pandas as pd

from teichaku.analysis.imputation import DONORS
from teichaku.analysis.specs import AnalysisSpec, Settings

#: The events of time-to-event models, as the direction sentences name them.
JA_EVENTS = {"transition": "移行による終了", "competing": "移行以外の終了(競合事象)"}
EN_EVENTS = {"transition": "ending by transition", "competing": "ending otherwise (competing)"}


def _cox(models, settings, language):
    events = sorted({m.event for m in models})
    if language == "ja":
        direction = "、".join(
            f"ハザード比が1未満であることは{JA_EVENTS[e]}が起こりにくいこと"
            + ("(関与の長期化)" if e == "transition" else "")
            for e in events
        )
        return (
            "原因別Coxモデルは同時点の事象をEfron法で扱い、センターでクラスタ化した標準誤差は"
            "Rのsurvivalパッケージのcoxphでクラスタを指定したときと同じ頑健分散(小標本補正なし)です。"
            f"{direction}を意味します。"
        )
    direction = "; ".join(
        f"a hazard ratio below 1 means {EN_EVENTS[e]} is less likely at any time"
        + (", that is, longer involvement" if e == "transition" else "")
        for e in events
    )
    return (
        "The cause-specific Cox models handle tied event times by Efron's method; their "
        "standard errors clustered by center are the robust variance of R's coxph (survival "
        f"package) with a cluster term, without a small-sample factor. Direction: {direction}."
    )


def _fine_gray(models, settings, language):
    events = sorted({m.event for m in models})
    clustered = any(m.cluster for m in models)
    unclustered = any(not m.cluster for m in models)
    if language == "ja":
        variance = []
        if clustered:
            variance.append(
                "センターでクラスタ化した標準誤差はRのsurvivalパッケージのfinegrayで作った重み付き"
                "データに、Breslow法とクラスタを指定したcoxphを当てはめたときの頑健分散"
                "(打ち切り分布の重みを既知として扱い、小標本補正なし)"
            )
        if unclustered:
            variance.append(
                "クラスタ化しない標準誤差はRのcmprskパッケージのcrrの分散(打ち切り分布の推定を考慮)"
            )
        return (
            "Fine–Grayモデル(部分分布ハザード)は、競合事象で終了した人を打ち切り分布の重み付きで"
            "リスク集合に残す重み付きCoxモデルで、同時点の事象はBreslow法で扱います。"
            + "、".join(variance)
            + "です。"
            + "、".join(
                f"部分分布ハザード比が1未満であることは{JA_EVENTS[e]}の累積発生率が低いこと"
                + ("(関与の長期化)" if e == "transition" else "")
                for e in events
            )
            + "を意味します(原因別ハザード比とは異なり、競合事象の起こりやすさも反映します)。"
        )
    variance = []
    if clustered:
        variance.append(
            "standard errors clustered by center are the robust variance of R's coxph with "
            "Breslow ties and a cluster term on the weighted rows of finegray (survival "
            "package), the censoring weights treated as known, with no small-sample factor"
        )
    if unclustered:
        variance.append(
            "unclustered standard errors are the variance of crr (R's cmprsk package), which "
            "allows for the estimated censoring distribution"
        )
    return (
        "The Fine–Gray (subdistribution hazard) model is a weighted Cox model that keeps "
        "those who ended by a competing event in the risk set with censoring weights, with "
        "Breslow ties; its "
        + "; its ".join(variance)
        + ". Direction: "
        + "; ".join(
            f"a subdistribution hazard ratio below 1 means a lower cumulative incidence of "
            f"{EN_EVENTS[e]}" + (", that is, longer involvement" if e == "transition" else "")
            for e in events
        )
        + " (unlike a cause-specific hazard ratio it also reflects how likely the competing "
        "ends are)."
    )


def _logit(models, settings, language):
    if language == "ja":
        return (
            "ロジスティック回帰のクラスタ頑健標準誤差は、RのsandwichパッケージのvcovCLがglmに用いる"
            "既定と同じくサンドイッチ推定量にG/(G−1)(G: クラスタ数)を掛けたもので、(N−1)/(N−K)の"
            "補正は掛けません。オッズ比が1を超えることは、その期間以上の長期化が起こりやすいことを"
            "意味します。"
        )
    return (
        "The cluster-robust standard errors of the logistic regressions are the sandwich "
        "times G/(G−1) (G clusters), the default of vcovCL (R's sandwich package) for a glm, "
        "without "
        "the (N−1)/(N−K) factor. An odds ratio above 1 means involvement of at least the "
        "threshold is more likely."
    )


def _gee(models, settings, language):
    if language == "ja":
        return (
            "GEEは交換可能な作業相関を用い、相関αと尺度は自由度補正なしのモーメント推定量"
            "(Rのgeepackと同じ)、標準誤差は小標本補正なしのサンドイッチ推定量です。"
            "オッズ比はセンターを平均した(周辺)比較です。"
        )
    return (
        "The GEE uses an exchangeable working correlation whose α and scale are moment "
        "estimates without a degrees-of-freedom correction (as R's geepack), and sandwich "
        "standard errors without a small-sample factor; its odds ratios are population-"
        "averaged."
    )


def _mixed(models, settings, language):
    k = settings.quadrature_points
    if language == "ja":
        return (
            "混合ロジスティック回帰はセンターごとのランダム切片を含み、"
            f"{k}点の適応的ガウス・エルミート求積による最尤法"
            f"(Rのlme4パッケージのglmerで求積点を{k}としたときと同じ)で推定しました。"
            "標準誤差は観測情報行列の逆行列から求め、センター間標準偏差の信頼区間は対数尺度のWald区間です"
            "(推定値が0の境界にあるときは区間を示しません)。オッズ比は同じセンター内での(条件付き)比較です。"
        )
    return (
        "The mixed logistic regression has a random intercept per center and is fitted by "
        f"maximum likelihood with {k}-point adaptive Gauss–Hermite quadrature (as glmer of "
        f"R's lme4 package with {k} quadrature points); its standard errors come from the "
        "inverse observed information, "
        "and the interval of the SD between centers is a Wald interval on the log scale (none "
        "when the estimate is at the boundary 0). Its odds ratios compare cases within the "
        "same center (conditional)."
    )


def _binomial_counts(models, settings, language):
    if language == "ja":
        return (
            "センター単位の二項GLMは、Pearsonの過分散パラメータが1を超えるときにその平方根を"
            "標準誤差に掛けます(準二項、1未満のときは補正しません)。"
        )
    return (
        "The center-level binomial GLM multiplies its standard errors by the square root of "
        "the Pearson dispersion when that exceeds 1 (quasi-binomial, never below the binomial)."
    )


SENTENCES = {
    "cox": _cox,
    "fine_gray": _fine_gray,
    "logit": _logit,
    "gee": _gee,
    "mixed_logit": _mixed,
    "binomial_counts": _binomial_counts,
}


def _imputation(models, settings, imputed: list[str], language):
    """``imputed``: the labels of the imputed covariates in ``language``."""
    m, burn, seed = settings.mice_imputations, settings.mice_burn_in, settings.seed
    variables = ("、" if language == "ja" else ", ").join(imputed) if imputed else "-"
    if language == "ja":
        return (
            f"欠測のある数値共変量({variables})は連鎖方程式による多重代入(予測平均マッチング、"
            f"近い{DONORS}例から無作為にドナーを選ぶ)で補完しました。代入モデルには共変量と結果"
            "(Coxモデルでは事象の指標とNelson–Aalen累積ハザード)を含めます。"
            f"{m}本の独立な連鎖(各{burn}サイクル、乱数シード{seed})の最終状態を{m}個の代入データとし、"
            "Rubinの規則で統合し、自由度はBarnard–Rubin法(完全データの自由度はRのmiceと同じ)によります。"
        )
    return (
        f"Missing numeric covariates ({variables}) were multiply imputed by chained equations "
        f"(predictive mean matching, a donor drawn among the {DONORS} nearest), with the "
        "covariates and the outcome (for Cox models the event indicator and the Nelson–Aalen "
        f"cumulative hazard) in the imputation model: {m} independent chains of {burn} cycles "
        f"each (seed {seed}) give the {m} completed data sets, combined by Rubin's rules with "
        "Barnard–Rubin degrees of freedom (complete-data df as in R's mice)."
    )


def imputed_variables(spec: AnalysisSpec, analysis: pd.DataFrame) -> list[str]:
    """Numeric covariates of the imputing models that have missing values in the data."""
    from teichaku.analysis.sum_design import required_variables

    out: set[str] = set()
    for m in spec.models:
        if m.missing != "mice" or m.data != "cases":
            continue
        for v in required_variables(m.formula):
            column = analysis.get(v)
            if (
                column is not None
                and pd.api.types.is_numeric_dtype(column)
                and not pd.api.types.is_bool_dtype(column)
                and column.isna().any()
            ):
                out.add(v)
    return sorted(out)


def methods_paragraph(
    spec: AnalysisSpec,
    settings: Settings,
    coefficients: pd.DataFrame,
    imputed: list[str],
    language: str,
) -> str:
    """The paragraph in ``language`` (ja or en) for the models that have coefficients."""
    fitted = set(coefficients["model"]) if len(coefficients) else set()
    models = [m for m in spec.models if m.name in fitted]
    parts = []
    for model_type, sentence in SENTENCES.items():
        of_type = [m for m in models if m.type == model_type]
        if of_type:
            parts.append(sentence(of_type, settings, language))
    if any(m.missing == "mice" for m in models):
        # the covariates named by their labels (as in the tables), not their column names
        column = f"label_{language}"
        names = (
            dict(zip(coefficients["term"], coefficients[column], strict=True))
            if column in coefficients
            else {}
        )
        labels = [names.get(v, v) for v in imputed]
        parts.append(_imputation(models, settings, labels, language))
    pct = f"{100 * settings.confidence:g}"
    parts.append(
        f"信頼区間はすべて{pct}%区間です。"
        if language == "ja"
        else f"All intervals are {pct}% confidence intervals."
    )
    return ("" if language == "ja" else " ").join(parts)
