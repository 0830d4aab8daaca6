// Small helpers shared by the bench drivers: percentiles and aligned output.
#pragma once

#include <QList>
#include <algorithm>
#include <cstdio>

namespace lifdag::bench {

// The p-th percentile (0..100) of `samples` (sorted in place).
inline double percentile(QList<double> &samples, double p)
{
    if (samples.isEmpty())
        return 0;
    std::sort(samples.begin(), samples.end());
    const qsizetype i = qsizetype((p / 100.0) * double(samples.size() - 1) + 0.5);
    return samples[std::clamp<qsizetype>(i, 0, samples.size() - 1)];
}

inline void row(const char *backend, const char *what, double value, const char *unit)
{
    std::printf("%-10s %-48s %14.2f %s\n", backend, what, value, unit);
    std::fflush(stdout);
}

} // namespace lifdag::bench
