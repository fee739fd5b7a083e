/** One PASS/FAIL/NOTE line per check, and the counts a lane prints last (`<lane>: N passed, M failed`). */
export class Report {
  passed = 0;
  failed = 0;

  check(name: string, ok: boolean, why = ""): boolean {
    if (ok) this.passed++;
    else this.failed++;
    console.log(ok ? `PASS ${name}` : `FAIL ${name}${why !== "" ? `: ${why}` : ""}`);
    return ok;
  }

  note(text: string): void {
    console.log(`NOTE ${text}`);
  }
}
