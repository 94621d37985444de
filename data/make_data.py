#!/usr/bin/python3
"""Writes the bundled data sets from scikit-learn's own bundled copies (no download):

    /usr/bin/python3 data/make_data.py      # Debian: python3-sklearn

breast_cancer.csv  569 x 30 features with the UCI WDBC names (radius_mean, ..., fractal_dimension_worst)
                   and the target column `diagnosis` (M = malignant, B = benign)
iris.csv           150 x 4 features and `species` (setosa, versicolor, virginica)
diabetes.csv       442 x 10 raw (unscaled) features and `progression` (disease progression after one year)
"""
import csv
import os

from sklearn import datasets

HERE = os.path.dirname(os.path.abspath(__file__))


def uci_name(name):
    # scikit-learn's "mean radius" / "radius error" / "worst radius" -> UCI's radius_mean / _se / _worst
    for prefix, suffix in (("mean ", "_mean"), ("worst ", "_worst")):
        if name.startswith(prefix):
            return name[len(prefix):].replace(" ", "_") + suffix
    if name.endswith(" error"):
        return name[: -len(" error")].replace(" ", "_") + "_se"
    raise ValueError(name)


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def number(v):
    return repr(float(v)) if float(v) != int(v) else str(int(v))


def main():
    cancer = datasets.load_breast_cancer()
    header = [uci_name(n) for n in cancer.feature_names] + ["diagnosis"]
    write("breast_cancer.csv", header,
          ([number(v) for v in x] + ["M" if t == 0 else "B"] for x, t in zip(cancer.data, cancer.target)))

    iris = datasets.load_iris()
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    write("iris.csv", names + ["species"],
          ([number(v) for v in x] + [iris.target_names[t]] for x, t in zip(iris.data, iris.target)))

    diabetes = datasets.load_diabetes(scaled=False)
    write("diabetes.csv", list(diabetes.feature_names) + ["progression"],
          ([number(v) for v in x] + [number(t)] for x, t in zip(diabetes.data, diabetes.target)))


if __name__ == "__main__":
    main()
