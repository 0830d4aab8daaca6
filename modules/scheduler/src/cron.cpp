#include "lifdag/scheduler/cron.h"

#include <QHash>
#include <QStringList>
#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <mutex>
#include <vector>

namespace lifdag::scheduler {

namespace {

constexpr qint64 kMinutesPerDay = 1440;
constexpr qint64 kMsPerMinute = 60000;
constexpr qint64 kEpochJulianDay = 2440588; // 1970-01-01
// No matching time within this many days: the expression can never fire again (e.g. 29 Feb is
// at most 8 years away, so a century is generous).
constexpr qint64 kSearchDays = 36525;

struct FieldSpec
{
    const char *name;
    int min;
    int max;
    const char *const *names; // three-letter names for min..min+count-1, or null
    int namesCount;
};

const char *const kMonthNames[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                    "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
const char *const kDayNames[] = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT" };

const FieldSpec kFields[5] = {
    { "minute", 0, 59, nullptr, 0 },       { "hour", 0, 23, nullptr, 0 },
    { "day-of-month", 1, 31, nullptr, 0 }, { "month", 1, 12, kMonthNames, 12 },
    { "day-of-week", 0, 7, kDayNames, 7 },
};

Error cronError(const QString &text, const QString &detail)
{
    return Error { QStringLiteral("scheduler.cron"),
                   QStringLiteral("invalid cron \"%1\": %2").arg(text, detail) };
}

Error fieldError(const QString &text, const FieldSpec &field, const QString &detail)
{
    return cronError(text, QStringLiteral("%1 field: %2").arg(QLatin1StringView(field.name), detail));
}

// A number or (for months and week days) a name; `isUpperBound` lets SUN end a range as 7.
Result<int> parseValue(const QString &text, const FieldSpec &field, const QString &token, const QString &item,
                       bool isUpperBound = false)
{
    bool ok = false;
    int value = token.toInt(&ok);
    const bool numeric = ok && !token.isEmpty() && token.front().isDigit();
    if (!numeric) {
        value = -1;
        for (int i = 0; i < field.namesCount; ++i) {
            if (token.compare(QLatin1StringView(field.names[i]), Qt::CaseInsensitive) == 0)
                value = field.min + i;
        }
        if (value < 0) {
            const QString expected = field.names
                ? QStringLiteral("a number %1-%2 or a name %3-%4")
                      .arg(field.min)
                      .arg(field.max)
                      .arg(QLatin1StringView(field.names[0]),
                           QLatin1StringView(field.names[field.namesCount - 1]))
                : QStringLiteral("a number %1-%2").arg(field.min).arg(field.max);
            return fieldError(text, field,
                              QStringLiteral("\"%1\" in \"%2\" is not %3").arg(token, item, expected));
        }
        if (isUpperBound && field.names == kDayNames && value == 0)
            value = 7;
        return value;
    }
    if (value < field.min || value > field.max)
        return fieldError(text, field,
                          QStringLiteral("%1 in \"%2\" is out of range %3-%4")
                              .arg(token, item)
                              .arg(field.min)
                              .arg(field.max));
    return value;
}

// One field into a bit set (bit n: value n).
Result<std::uint64_t> parseField(const QString &text, const FieldSpec &field, const QString &source)
{
    std::uint64_t bits = 0;
    const QStringList items = source.split(QLatin1Char(','));
    for (const QString &item : items) {
        if (item.isEmpty())
            return fieldError(text, field, QStringLiteral("empty item in list \"%1\"").arg(source));
        QString range = item;
        int step = 1;
        const qsizetype slash = item.indexOf(QLatin1Char('/'));
        if (slash >= 0) {
            const QString stepText = item.mid(slash + 1);
            bool ok = false;
            step = stepText.toInt(&ok);
            if (!ok || stepText.isEmpty() || !stepText.front().isDigit())
                return fieldError(
                    text, field, QStringLiteral("step \"%1\" in \"%2\" is not a number").arg(stepText, item));
            if (step < 1)
                return fieldError(text, field, QStringLiteral("step in \"%1\" must be at least 1").arg(item));
            range = item.left(slash);
        }
        int low = field.min;
        int high = field.max == 7 ? 6 : field.max; // `*` in day-of-week: 0-6
        if (range == QLatin1StringView("*")) {
            // the whole field
        } else if (const qsizetype dash = range.indexOf(QLatin1Char('-')); dash > 0) {
            const auto lo = parseValue(text, field, range.left(dash), item);
            if (!lo)
                return lo.error();
            const auto hi = parseValue(text, field, range.mid(dash + 1), item, true);
            if (!hi)
                return hi.error();
            if (*lo > *hi)
                return fieldError(
                    text, field,
                    QStringLiteral("range \"%1\" runs backwards (%2 > %3)").arg(range).arg(*lo).arg(*hi));
            low = *lo;
            high = *hi;
        } else {
            const auto v = parseValue(text, field, range, item);
            if (!v)
                return v.error();
            low = *v;
            high = slash >= 0 ? field.max : *v; // "N/STEP": from N to the field's end
            if (slash >= 0 && field.max == 7)
                high = 6;
        }
        for (int v = low; v <= high; v += step)
            bits |= std::uint64_t(1) << v;
    }
    return bits;
}

int daysInMonth(int month)
{
    static constexpr std::array<int, 13> days { 0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return days[month];
}

// Lowest set bit >= from, or -1.
int nextBit(std::uint64_t bits, int from)
{
    if (from >= 64)
        return -1;
    const std::uint64_t rest = bits >> from;
    return rest ? from + std::countr_zero(rest) : -1;
}

// Highest set bit <= from, or -1.
int previousBit(std::uint64_t bits, int from)
{
    if (from < 0)
        return -1;
    const std::uint64_t kept = from >= 63 ? bits : bits & ((std::uint64_t(2) << from) - 1);
    return kept ? 63 - std::countl_zero(kept) : -1;
}

qint64 floorDiv(qint64 a, qint64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

} // namespace

// ---- CronExpression ---------------------------------------------------------------------------

Result<CronExpression> CronExpression::parse(const QString &input)
{
    const QString text = input.simplified();
    QString fieldsText = text;
    if (text.startsWith(QLatin1Char('@'))) {
        static const QHash<QString, QString> macros {
            { QStringLiteral("@yearly"), QStringLiteral("0 0 1 1 *") },
            { QStringLiteral("@annually"), QStringLiteral("0 0 1 1 *") },
            { QStringLiteral("@monthly"), QStringLiteral("0 0 1 * *") },
            { QStringLiteral("@weekly"), QStringLiteral("0 0 * * 0") },
            { QStringLiteral("@daily"), QStringLiteral("0 0 * * *") },
            { QStringLiteral("@midnight"), QStringLiteral("0 0 * * *") },
            { QStringLiteral("@hourly"), QStringLiteral("0 * * * *") },
        };
        const auto it = macros.constFind(text.toLower());
        if (it == macros.cend())
            return cronError(
                text,
                QStringLiteral("unknown macro \"%1\"; expected one of @yearly, @annually, @monthly, "
                               "@weekly, @daily, @midnight, @hourly")
                    .arg(text));
        fieldsText = *it;
    }
    const QStringList fields = fieldsText.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (fields.size() != 5)
        return cronError(text,
                         QStringLiteral("expected 5 fields (minute hour day-of-month month day-of-week) or a "
                                        "macro such as @daily, found %1")
                             .arg(fields.size()));
    std::array<std::uint64_t, 5> bits {};
    for (int i = 0; i < 5; ++i) {
        auto parsed = parseField(text, kFields[i], fields[i]);
        if (!parsed)
            return parsed.error();
        bits[i] = *parsed;
    }
    CronExpression e;
    e.m_text = text;
    e.m_minutes = bits[0];
    e.m_hours = std::uint32_t(bits[1]);
    e.m_days = std::uint32_t(bits[2]);
    e.m_months = std::uint32_t(bits[3]);
    std::uint64_t weekdays = bits[4];
    if (weekdays & (std::uint64_t(1) << 7))
        weekdays = (weekdays | 1) & 0x7f; // 7 is Sunday
    e.m_weekdays = std::uint32_t(weekdays);
    constexpr std::uint32_t allDays = 0xfffffffeu; // 1-31
    e.m_daysRestricted = e.m_days != allDays;
    e.m_weekdaysRestricted = e.m_weekdays != 0x7fu;

    // A day of the month that no chosen month has never fires (Dagster refuses 30/31 February).
    if (!e.m_weekdaysRestricted) {
        bool possible = false;
        for (int m = 1; m <= 12 && !possible; ++m) {
            if (e.m_months & (1u << m))
                possible = nextBit(e.m_days, 1) <= daysInMonth(m);
        }
        if (!possible)
            return fieldError(
                text, kFields[2],
                QStringLiteral("\"%1\" never occurs in month \"%2\"").arg(fields[2], fields[3]));
    }
    return e;
}

QString CronExpression::expanded() const
{
    const auto render = [](std::uint64_t bits, int min, int max) -> QString {
        if (min == 0 && max == 6 && bits == 0x7f)
            return QStringLiteral("*");
        bool all = true;
        for (int v = min; v <= max; ++v)
            all = all && (bits & (std::uint64_t(1) << v));
        if (all)
            return QStringLiteral("*");
        QStringList parts;
        for (int v = min; v <= max; ++v) {
            if (!(bits & (std::uint64_t(1) << v)))
                continue;
            int end = v;
            while (end + 1 <= max && (bits & (std::uint64_t(1) << (end + 1))))
                ++end;
            parts << (end > v + 1
                          ? QStringLiteral("%1-%2").arg(v).arg(end)
                          : (end == v + 1 ? QStringLiteral("%1,%2").arg(v).arg(end) : QString::number(v)));
            v = end;
        }
        return parts.join(QLatin1Char(','));
    };
    return QStringList { render(m_minutes, 0, 59), render(m_hours, 0, 23), render(m_days, 1, 31),
                         render(m_months, 1, 12), render(m_weekdays, 0, 6) }
        .join(QLatin1Char(' '));
}

qint64 CronExpression::naiveMinute(const QDate &date, int hour, int minute)
{
    return date.toJulianDay() * kMinutesPerDay + hour * 60 + minute;
}

bool CronExpression::dayMatches(qint64 julianDay) const
{
    const QDate date = QDate::fromJulianDay(julianDay);
    const bool day = m_days & (1u << date.day());
    const bool weekday = m_weekdays & (1u << ((julianDay + 1) % 7)); // JD 0 was a Monday
    if (m_daysRestricted && m_weekdaysRestricted)
        return day || weekday;
    return day && weekday;
}

bool CronExpression::matches(const QDate &date, int hour, int minute) const
{
    return (m_months & (1u << date.month())) && dayMatches(date.toJulianDay()) && (m_hours & (1u << hour))
        && (m_minutes & (std::uint64_t(1) << minute));
}

std::optional<qint64> CronExpression::nextNaive(qint64 from) const
{
    qint64 day = floorDiv(from, kMinutesPerDay);
    int minuteOfDay = int(from - day * kMinutesPerDay);
    int hour = minuteOfDay / 60;
    int minute = minuteOfDay % 60;
    const qint64 lastDay = day + kSearchDays;
    while (day <= lastDay) {
        const QDate date = QDate::fromJulianDay(day);
        if (!(m_months & (1u << date.month()))) {
            day = QDate(date.year(), date.month(), 1).addMonths(1).toJulianDay();
            hour = minute = 0;
            continue;
        }
        if (!dayMatches(day)) {
            ++day;
            hour = minute = 0;
            continue;
        }
        const int h = nextBit(m_hours, hour);
        if (h < 0) {
            ++day;
            hour = minute = 0;
            continue;
        }
        if (h != hour) {
            hour = h;
            minute = 0;
        }
        const int m = nextBit(m_minutes, minute);
        if (m < 0) {
            if (++hour == 24) {
                ++day;
                hour = 0;
            }
            minute = 0;
            continue;
        }
        return day * kMinutesPerDay + hour * 60 + m;
    }
    return std::nullopt;
}

std::optional<qint64> CronExpression::previousNaive(qint64 from) const
{
    qint64 day = floorDiv(from, kMinutesPerDay);
    int minuteOfDay = int(from - day * kMinutesPerDay);
    int hour = minuteOfDay / 60;
    int minute = minuteOfDay % 60;
    const qint64 firstDay = day - kSearchDays;
    while (day >= firstDay) {
        const QDate date = QDate::fromJulianDay(day);
        if (!(m_months & (1u << date.month()))) {
            day = QDate(date.year(), date.month(), 1).toJulianDay() - 1;
            hour = 23;
            minute = 59;
            continue;
        }
        if (!dayMatches(day)) {
            --day;
            hour = 23;
            minute = 59;
            continue;
        }
        const int h = previousBit(m_hours, hour);
        if (h < 0) {
            --day;
            hour = 23;
            minute = 59;
            continue;
        }
        if (h != hour) {
            hour = h;
            minute = 59;
        }
        const int m = previousBit(m_minutes, minute);
        if (m < 0) {
            if (--hour < 0) {
                --day;
                hour = 23;
            }
            minute = 59;
            continue;
        }
        return day * kMinutesPerDay + hour * 60 + m;
    }
    return std::nullopt;
}

// ---- time zones -------------------------------------------------------------------------------

// A zone's UTC offsets as a table of transitions over the years schedules care about; instants
// outside the table ask QTimeZone directly.
struct CronSchedule::Zone
{
    struct Transition
    {
        qint64 atMs;
        int offsetAfter; // seconds east of UTC from atMs on
    };

    QTimeZone tz;
    bool fixed = false;
    int initialOffset = 0; // before the first transition (or always, when fixed)
    qint64 fromMs = 0;
    qint64 toMs = 0;
    std::vector<Transition> transitions;

    explicit Zone(const QTimeZone &zone)
        : tz(zone)
    {
        const QDateTime from(QDate(1900, 1, 1), QTime(0, 0), Qt::UTC);
        const QDateTime to(QDate(2200, 1, 1), QTime(0, 0), Qt::UTC);
        fromMs = from.toMSecsSinceEpoch();
        toMs = to.toMSecsSinceEpoch();
        initialOffset = tz.offsetFromUtc(from);
        if (!tz.hasTransitions()) {
            fixed = true;
            return;
        }
        for (const QTimeZone::OffsetData &d : tz.transitions(from, to))
            transitions.push_back({ d.atUtc.toMSecsSinceEpoch(), d.offsetFromUtc });
        fixed = transitions.empty() && tz.offsetFromUtc(to) == initialOffset;
    }

    int offsetAt(qint64 ms) const
    {
        if (fixed)
            return initialOffset;
        if (ms < fromMs || ms >= toMs)
            return tz.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC));
        const auto it = std::upper_bound(transitions.begin(), transitions.end(), ms,
                                         [](qint64 v, const Transition &t) { return v < t.atMs; });
        return it == transitions.begin() ? initialOffset : std::prev(it)->offsetAfter;
    }

    // The offsets in force over [fromMs, toMs]: the one at the start, then each change.
    void segments(qint64 a, qint64 b, std::vector<Transition> &out) const
    {
        out.clear();
        out.push_back({ a, offsetAt(a) });
        if (fixed)
            return;
        if (a < fromMs || b >= toMs) {
            for (const QTimeZone::OffsetData &d :
                 tz.transitions(QDateTime::fromMSecsSinceEpoch(a + 1, Qt::UTC),
                                QDateTime::fromMSecsSinceEpoch(b, Qt::UTC)))
                out.push_back({ d.atUtc.toMSecsSinceEpoch(), d.offsetFromUtc });
            return;
        }
        auto it = std::upper_bound(transitions.begin(), transitions.end(), a,
                                   [](qint64 v, const Transition &t) { return v < t.atMs; });
        for (; it != transitions.end() && it->atMs <= b; ++it)
            out.push_back(*it);
    }

    // No change of offset within [a, b].
    bool quiet(qint64 a, qint64 b) const
    {
        if (fixed)
            return true;
        if (a < fromMs || b >= toMs)
            return tz
                .transitions(QDateTime::fromMSecsSinceEpoch(a, Qt::UTC),
                             QDateTime::fromMSecsSinceEpoch(b, Qt::UTC))
                .isEmpty();
        const auto it = std::upper_bound(transitions.begin(), transitions.end(), a,
                                         [](qint64 v, const Transition &t) { return v < t.atMs; });
        return it == transitions.end() || it->atMs > b;
    }

    static std::shared_ptr<const Zone> forZone(const QTimeZone &tz)
    {
        static std::mutex mutex;
        static QHash<QByteArray, std::shared_ptr<const Zone>> zones;
        std::lock_guard lock(mutex);
        auto &slot = zones[tz.id()];
        if (!slot)
            slot = std::make_shared<const Zone>(tz);
        return slot;
    }
};

namespace {

// The instants a wall-clock time stands for under Dagster's rules (see cron.h): up to two, in
// ascending order.
struct Instants
{
    qint64 at[2];
    int count = 0;
};

constexpr qint64 kWindowMs = 15 * 3600 * qint64(1000); // beyond any UTC offset

Instants instantsOf(const CronSchedule::Zone &zone, qint64 naive, bool everyHour,
                    std::vector<CronSchedule::Zone::Transition> &scratch)
{
    Instants r;
    const qint64 local = (naive - kEpochJulianDay * kMinutesPerDay) * kMsPerMinute;
    if (zone.fixed) {
        r.at[r.count++] = local - qint64(zone.initialOffset) * 1000;
        return r;
    }
    zone.segments(local - kWindowMs, local + kWindowMs, scratch);
    qint64 found[3];
    int n = 0;
    for (size_t i = 0; i < scratch.size(); ++i) {
        const qint64 candidate = local - qint64(scratch[i].offsetAfter) * 1000;
        const qint64 start = i == 0 ? std::numeric_limits<qint64>::min() : scratch[i].atMs;
        const qint64 end = i + 1 < scratch.size() ? scratch[i + 1].atMs : std::numeric_limits<qint64>::max();
        if (candidate >= start && candidate < end && n < 3)
            found[n++] = candidate;
    }
    for (int i = 1; i < n; ++i) // at most three: insertion sort
        for (int j = i; j > 0 && found[j] < found[j - 1]; --j)
            std::swap(found[j], found[j - 1]);
    if (n == 0) {
        // In a gap: the first instant after it, unless the schedule fires by elapsed hour.
        if (everyHour)
            return r;
        for (size_t i = 1; i < scratch.size(); ++i) {
            const qint64 at = scratch[i].atMs;
            if (at + qint64(scratch[i - 1].offsetAfter) * 1000 <= local
                && local < at + qint64(scratch[i].offsetAfter) * 1000) {
                r.at[r.count++] = at;
                return r;
            }
        }
        return r;
    }
    if (n == 1 || !everyHour) {
        r.at[r.count++] = found[n - 1]; // repeated time: the post-transition occurrence
        return r;
    }
    r.at[r.count++] = found[0];
    r.at[r.count++] = found[n - 1];
    return r;
}

qint64 naiveMinuteOf(const CronSchedule::Zone &zone, qint64 ms)
{
    const qint64 local = ms + qint64(zone.offsetAt(ms)) * 1000;
    return floorDiv(local, kMsPerMinute) + kEpochJulianDay * kMinutesPerDay;
}

// Near an offset change, wall-clock candidates within this many minutes of the best one may still
// map to an earlier (later, for previous) instant: offsets change by at most two hours.
constexpr qint64 kLookaroundMinutes = 180;
constexpr qint64 kLookaroundMs = kLookaroundMinutes * kMsPerMinute;

} // namespace

// ---- CronSchedule -----------------------------------------------------------------------------

Result<CronSchedule> CronSchedule::create(const QString &cron, const QString &timezone)
{
    auto expression = CronExpression::parse(cron);
    if (!expression)
        return expression.error();
    const QString id = timezone.trimmed().isEmpty() ? QStringLiteral("UTC") : timezone.trimmed();
    QTimeZone zone(id.toUtf8());
    if (!zone.isValid())
        return Error { QStringLiteral("scheduler.timezone"),
                       QStringLiteral("unknown time zone \"%1\"; expected an IANA name such as "
                                      "\"Europe/Berlin\" or \"UTC\"")
                           .arg(id) };
    CronSchedule s;
    s.m_cron = std::move(expression).value();
    s.m_zone = zone;
    s.m_offsets = Zone::forZone(zone);
    return s;
}

QString CronSchedule::timeZoneId() const
{
    return QString::fromUtf8(m_zone.id());
}

std::optional<qint64> CronSchedule::nextMs(qint64 afterMs) const
{
    const Zone &zone = *m_offsets;
    const bool everyHour = m_cron.repeatsEveryHour();
    thread_local std::vector<Zone::Transition> scratch;
    std::optional<qint64> best;
    qint64 bestNaive = 0;
    const bool quietStart = zone.quiet(afterMs - kLookaroundMs, afterMs + kLookaroundMs);
    qint64 cursor = naiveMinuteOf(zone, afterMs) - (quietStart ? 0 : kLookaroundMinutes);
    while (true) {
        const auto naive = m_cron.nextNaive(cursor);
        if (!naive || (best && *naive > bestNaive + kLookaroundMinutes))
            break;
        const Instants in = instantsOf(zone, *naive, everyHour, scratch);
        for (int i = 0; i < in.count; ++i) {
            if (in.at[i] > afterMs && (!best || in.at[i] < *best)) {
                best = in.at[i];
                bestNaive = *naive;
            }
        }
        if (best && zone.quiet(*best - kLookaroundMs, *best + kLookaroundMs))
            break; // no offset change near: nothing later on the wall clock can come earlier
        cursor = *naive + 1;
    }
    return best;
}

std::optional<qint64> CronSchedule::previousMs(qint64 beforeMs) const
{
    const Zone &zone = *m_offsets;
    const bool everyHour = m_cron.repeatsEveryHour();
    thread_local std::vector<Zone::Transition> scratch;
    std::optional<qint64> best;
    qint64 bestNaive = 0;
    const bool quietStart = zone.quiet(beforeMs - kLookaroundMs, beforeMs + kLookaroundMs);
    qint64 cursor = naiveMinuteOf(zone, beforeMs) + (quietStart ? 0 : kLookaroundMinutes);
    while (true) {
        const auto naive = m_cron.previousNaive(cursor);
        if (!naive || (best && *naive < bestNaive - kLookaroundMinutes))
            break;
        const Instants in = instantsOf(zone, *naive, everyHour, scratch);
        for (int i = 0; i < in.count; ++i) {
            if (in.at[i] < beforeMs && (!best || in.at[i] > *best)) {
                best = in.at[i];
                bestNaive = *naive;
            }
        }
        if (best && zone.quiet(*best - kLookaroundMs, *best + kLookaroundMs))
            break; // no offset change near: nothing later on the wall clock can come earlier
        cursor = *naive - 1;
    }
    return best;
}

QDateTime CronSchedule::next(const QDateTime &after) const
{
    const auto ms = nextMs(after.toMSecsSinceEpoch());
    return ms ? QDateTime::fromMSecsSinceEpoch(*ms, m_zone) : QDateTime();
}

QDateTime CronSchedule::previous(const QDateTime &before) const
{
    const auto ms = previousMs(before.toMSecsSinceEpoch());
    return ms ? QDateTime::fromMSecsSinceEpoch(*ms, m_zone) : QDateTime();
}

QList<QDateTime> CronSchedule::latestFireTimes(const QDateTime &after, const QDateTime &until,
                                               int limit) const
{
    QList<QDateTime> out;
    const qint64 afterMs = after.toMSecsSinceEpoch();
    qint64 cursor = until.toMSecsSinceEpoch() + 1;
    while (out.size() < limit) {
        const auto ms = previousMs(cursor);
        if (!ms || *ms <= afterMs)
            break;
        out.prepend(QDateTime::fromMSecsSinceEpoch(*ms, m_zone));
        cursor = *ms;
    }
    return out;
}

} // namespace lifdag::scheduler
