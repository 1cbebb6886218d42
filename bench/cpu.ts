import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time from /proc: utime + stime of /proc/<pid>/stat, in clock ticks (`getconf CLK_TCK`,
 * USER_HZ, 100 on every Linux platform Node runs on). Linux only: elsewhere every reading is null.
 */

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK`, asked once; 100 when it cannot be asked. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim());
      ticksPerSecond = Number.isFinite(value) && value > 0 ? value : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime (fields 14 and 15, counted after the parenthesised name), in clock ticks. */
function readTicks(pid: number | string): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

/** CPU time the process has used so far, in seconds; null when it cannot be read. */
export function processCpuSeconds(pid: number): number | null {
  const ticks = readTicks(pid);
  return ticks === null ? null : ticks / clockTicksPerSecond();
}

/**
 * CPU time, in clock ticks, of every process whose /proc/<pid>/comm is `postgres` (the postmaster,
 * its backends and background workers); null when /proc cannot be listed.
 */
function postgresTicks(): Map<number, number> | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const ticks = new Map<number, number>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      continue; // gone meanwhile
    }
    if (comm !== 'postgres') continue;
    const value = readTicks(entry);
    if (value !== null) ticks.set(Number(entry), value);
  }
  return ticks;
}

/** CPU time spent during a phase, in seconds (null: could not be read). */
export interface CpuSpent {
  /** The process under load (the service, or the glue baseline). */
  server: number | null;
  /**
   * Every PostgreSQL process together: per process, its CPU time at the end minus that at the
   * start (all of it for one that started meanwhile). A process that ended meanwhile is missed,
   * and the server's work for anyone else in that time is included.
   */
  postgres: number | null;
  /** PostgreSQL processes seen at the end. */
  postgresProcesses: number | null;
}

/** Starts measuring now; `stop()` tells the CPU time spent since. */
export function startCpuMeter(pid: number): { stop(): CpuSpent } {
  const serverBefore = readTicks(pid);
  const postgresBefore = postgresTicks();
  return {
    stop: () => {
      const hz = clockTicksPerSecond();
      const serverAfter = readTicks(pid);
      const postgresAfter = postgresTicks();
      let postgres: number | null = null;
      if (postgresBefore && postgresAfter && postgresAfter.size > 0) {
        let ticks = 0;
        for (const [process, after] of postgresAfter)
          ticks += Math.max(0, after - (postgresBefore.get(process) ?? 0));
        postgres = ticks / hz;
      }
      return {
        server: serverBefore === null || serverAfter === null ? null : (serverAfter - serverBefore) / hz,
        postgres,
        postgresProcesses: postgresAfter ? postgresAfter.size : null,
      };
    },
  };
}
