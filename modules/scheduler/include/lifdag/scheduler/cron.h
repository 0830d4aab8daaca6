// Cron expressions (standard 5 fields, names, @macros) and their fire times in an IANA time zone.
#pragma once

#include <lifdag/core/result.h>

#include <QDateTime>
#include <QList>
#include <QString>
#include <QTimeZone>
#include <cstdint>
#include <memory>
#include <optional>

namespace lifdag::scheduler {

// A parsed cron expression: `minute hour day-of-month month day-of-week`.
//
// Each field is a comma list of `*`, `N`, `N-M`, each optionally `/STEP`, or `N/STEP` (N to the
// field's end). Months and week days also take English names (JAN…DEC, SUN…SAT, any case);
// day-of-week 7 is Sunday, and a range may end in 7 or SUN (`FRI-SUN`). The macros @yearly,
// @annually, @monthly, @weekly, @daily, @midnight and @hourly stand for their usual expansions.
//
// Day-of-month and day-of-week follow Vixie cron / croniter (Dagster): a field is "restricted"
// unless it covers its whole range; when both are restricted a day matches if EITHER does (`0 0
// 13 * FRI` fires on every 13th and every Friday), otherwise the restricted one decides.
class CronExpression
{
public:
    // Errors have code "scheduler.cron" and name the field and the token at fault.
    static Result<CronExpression> parse(const QString &text);

    const QString &text() const { return m_text; } // as given (trimmed)
    // The five fields after macro expansion, e.g. "0 0 * * *" for @daily.
    QString expanded() const;

    // True when the hour field covers every hour: such schedules fire by elapsed time across DST
    // changes (see CronSchedule).
    bool repeatsEveryHour() const { return m_hours == kAllHours; }
    bool matches(const QDate &date, int hour, int minute) const;

    // Wall-clock ("naive") minutes: Julian day * 1440 + minute of the day.
    // The first matching naive minute >= `from` (<= for previous), or nullopt when none follows
    // within 100 years.
    std::optional<qint64> nextNaive(qint64 from) const;
    std::optional<qint64> previousNaive(qint64 from) const;

    static qint64 naiveMinute(const QDate &date, int hour, int minute);

private:
    static constexpr std::uint32_t kAllHours = (1u << 24) - 1;
    bool dayMatches(qint64 julianDay) const;

    QString m_text;
    std::uint64_t m_minutes = 0; // bit n: minute n
    std::uint32_t m_hours = 0; // bit n: hour n
    std::uint32_t m_days = 0; // bit n: day of month n (1-31)
    std::uint32_t m_months = 0; // bit n: month n (1-12)
    std::uint32_t m_weekdays = 0; // bit n: day of week n (0 = Sunday)
    bool m_daysRestricted = false;
    bool m_weekdaysRestricted = false;
};

// A cron expression evaluated in a time zone, with Dagster's daylight-saving rules
// (docs.dagster.io "Execution times and Daylight Savings Time"; dagster/_utils/schedules.py):
// - a wall-clock time that does not exist (spring forward) fires once, at the first instant
//   after the gap (02:30 on the day New York skips 02:00-03:00 fires at 03:00 EDT), several such
//   times collapse into that one fire;
// - a wall-clock time that happens twice (fall back) fires once, at its second (post-transition)
//   occurrence;
// - schedules whose hour field is `*` keep firing by elapsed time instead: times in the gap are
//   skipped, and repeated times fire at both occurrences (`30 * * * *` fires at 01:30 EDT and
//   again at 01:30 EST).
// The class is immutable and thread-safe; a zone's transitions are cached per process.
class CronSchedule
{
public:
    // `timezone`: an IANA name ("Europe/Berlin"); empty means UTC. Errors: "scheduler.cron",
    // "scheduler.timezone".
    static Result<CronSchedule> create(const QString &cron, const QString &timezone = {});

    const CronExpression &expression() const { return m_cron; }
    const QTimeZone &timeZone() const { return m_zone; }
    QString timeZoneId() const;

    // The first fire time strictly after `after` (in the schedule's zone), invalid when none.
    QDateTime next(const QDateTime &after) const;
    // The last fire time strictly before `before`, invalid when none.
    QDateTime previous(const QDateTime &before) const;
    // The latest `limit` fire times in (after, until], oldest first.
    QList<QDateTime> latestFireTimes(const QDateTime &after, const QDateTime &until, int limit) const;

    // The same in milliseconds since the epoch, for hot loops (bench, scheduler).
    std::optional<qint64> nextMs(qint64 afterMs) const;
    std::optional<qint64> previousMs(qint64 beforeMs) const;

    struct Zone; // private: the zone's offsets and transitions

private:
    CronExpression m_cron;
    QTimeZone m_zone;
    std::shared_ptr<const Zone> m_offsets;
};

} // namespace lifdag::scheduler
