package io.insession.experiments;

/**
 * Confidence intervals for experiment KPIs (issue 11; docs/promotion-gate.md): the Wilson score
 * interval of a rate, Newcombe's hybrid score interval of the difference of two rates, the normal
 * interval of a mean, the delta-method interval of a ratio of sums (average order value), and the
 * relative lift of a treatment mean over a control mean (delta method on the log scale). Two-sided,
 * at the given confidence.
 */
public final class Intervals {

  private Intervals() {}

  /** A closed interval with its point estimate. */
  public record Interval(double estimate, double low, double high) {

    /** Whether the whole interval lies above {@code value}. */
    public boolean above(final double value) {
      return low > value;
    }

    /** Whether the whole interval lies below {@code value}. */
    public boolean below(final double value) {
      return high < value;
    }
  }

  /** The two-sided standard normal quantile for {@code confidence} (0.95 → 1.95996...). */
  public static double z(final double confidence) {
    if (!(confidence > 0 && confidence < 1)) {
      throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
    }
    return normalQuantile(1 - (1 - confidence) / 2);
  }

  /**
   * Wilson's score interval of a rate {@code successes / trials} (Wilson 1927; Newcombe 1998,
   * method 3): good coverage also for small counts and rates near 0 or 1, never outside [0, 1].
   */
  public static Interval wilson(final long successes, final long trials, final double confidence) {
    if (trials <= 0 || successes < 0 || successes > trials) {
      throw new IllegalArgumentException(
          "need 0 <= successes <= trials and trials > 0, got " + successes + " of " + trials);
    }
    final double z = z(confidence);
    final double n = trials;
    final double p = successes / n;
    final double denominator = 1 + z * z / n;
    final double centre = (p + z * z / (2 * n)) / denominator;
    final double half = z / denominator * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n));
    return new Interval(p, Math.max(0, centre - half), Math.min(1, centre + half));
  }

  /**
   * Newcombe's hybrid score interval of the difference of two independent rates {@code p1 − p2}
   * (Newcombe 1998, method 10), from the two Wilson intervals.
   */
  public static Interval difference(
      final long successes1,
      final long trials1,
      final long successes2,
      final long trials2,
      final double confidence) {
    final Interval one = wilson(successes1, trials1, confidence);
    final Interval two = wilson(successes2, trials2, confidence);
    final double d = one.estimate() - two.estimate();
    final double low =
        d - Math.sqrt(square(one.estimate() - one.low()) + square(two.high() - two.estimate()));
    final double high =
        d + Math.sqrt(square(one.high() - one.estimate()) + square(two.estimate() - two.low()));
    return new Interval(d, low, high);
  }

  /**
   * The normal interval of a mean from per-unit sums: {@code n} units, {@code sum} and {@code
   * sumOfSquares} of their values (e.g. revenue per session).
   */
  public static Interval mean(
      final long n, final double sum, final double sumOfSquares, final double confidence) {
    requireUnits(n);
    final double mean = sum / n;
    final double half = z(confidence) * Math.sqrt(variance(n, sum, sumOfSquares) / n);
    return new Interval(mean, mean - half, mean + half);
  }

  /**
   * The delta-method interval of a ratio of sums {@code Σy / Σx} over {@code n} units (e.g. average
   * order value: revenue over orders, per session): Var ≈ (Var(y) − 2R·Cov(x,y) + R²·Var(x)) / (n ·
   * mean(x)²).
   */
  public static Interval ratio(
      final long n,
      final double sumY,
      final double sumX,
      final double sumYy,
      final double sumXx,
      final double sumXy,
      final double confidence) {
    requireUnits(n);
    if (sumX <= 0) {
      throw new IllegalArgumentException("the denominator's sum must be positive, got " + sumX);
    }
    final double r = sumY / sumX;
    final double meanX = sumX / n;
    final double varY = variance(n, sumY, sumYy);
    final double varX = variance(n, sumX, sumXx);
    final double cov = (sumXy - sumX * sumY / n) / (n - 1);
    final double var = Math.max(0, varY - 2 * r * cov + r * r * varX) / (n * meanX * meanX);
    final double half = z(confidence) * Math.sqrt(var);
    return new Interval(r, r - half, r + half);
  }

  /**
   * The relative lift {@code mean_t / mean_c − 1} of two independent means, from their estimates
   * and standard errors, by the delta method on the log scale (so the interval is asymmetric and
   * the lift never below −1): log ratio ± z·sqrt((se_t/m_t)² + (se_c/m_c)²).
   */
  public static Interval lift(
      final double treatmentMean,
      final double treatmentStandardError,
      final double controlMean,
      final double controlStandardError,
      final double confidence) {
    if (treatmentMean <= 0 || controlMean <= 0) {
      throw new IllegalArgumentException(
          "the lift needs positive means, got " + treatmentMean + " and " + controlMean);
    }
    final double logRatio = Math.log(treatmentMean / controlMean);
    final double se =
        Math.sqrt(
            square(treatmentStandardError / treatmentMean)
                + square(controlStandardError / controlMean));
    final double half = z(confidence) * se;
    return new Interval(
        treatmentMean / controlMean - 1,
        Math.exp(logRatio - half) - 1,
        Math.exp(logRatio + half) - 1);
  }

  private static void requireUnits(final long n) {
    if (n < 2) {
      throw new IllegalArgumentException("need at least 2 units for a variance, got " + n);
    }
  }

  /** The sample variance (n − 1) from the sum and the sum of squares. */
  private static double variance(final long n, final double sum, final double sumOfSquares) {
    return Math.max(0, (sumOfSquares - sum * sum / n) / (n - 1));
  }

  private static double square(final double x) {
    return x * x;
  }

  /**
   * The standard normal quantile (P. J. Acklam's rational approximation, relative error below
   * 1.15e-9: far below what a confidence interval can tell apart).
   */
  static double normalQuantile(final double p) {
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException("p must be in (0, 1), got " + p);
    }
    final double[] a = {
      -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
      1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00
    };
    final double[] b = {
      -5.447609879822406e+01,
      1.615858368580409e+02,
      -1.556989798598866e+02,
      6.680131188771972e+01,
      -1.328068155288572e+01
    };
    final double[] c = {
      -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
      -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00
    };
    final double[] d = {
      7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00
    };
    final double low = 0.02425;
    final double x;
    if (p < low) {
      final double q = Math.sqrt(-2 * Math.log(p));
      x =
          (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
              / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - low) {
      final double q = p - 0.5;
      final double r = q * q;
      x =
          (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
              * q
              / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
      final double q = Math.sqrt(-2 * Math.log(1 - p));
      x =
          -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
              / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    return x;
  }
}
