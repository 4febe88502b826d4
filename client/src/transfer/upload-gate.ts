// Whether this visitor offers what it holds to others right now. Closed when the page set no
// uploads (maxUploads 0), when the browser sends Global Privacy Control and the operator honours it
// (the default), when this page session has uploaded its budget, and while the tab is hidden
// (unless the operator says continue). The operator's choices arrive in `welcome.uploads`; until
// then the gate is closed. A change is told to the tracker with `hello {upload, max_uploads}`, so
// a closed gate is never chosen as a holder (and announces nothing new meanwhile).
export interface UploadPolicy {
  gpc?: string; // 'honor' | 'ignore'
  budget_bytes?: number; // 0 = none
  when_hidden?: string; // 'pause' | 'continue'
}

export class UploadGate {
  /** Why uploads are off now ('uploads-off', 'gpc', 'budget', 'hidden', 'no-policy'), or null. */
  paused: string | null = 'no-policy';
  uploaded = 0;
  private _policy?: UploadPolicy;

  constructor(
    private _maxUploads: number,
    private _changed: (open: boolean) => void,
  ) {
    document.addEventListener('visibilitychange', () => this._update());
  }

  get open(): boolean {
    return !this.paused;
  }

  setPolicy(p: UploadPolicy | undefined): void {
    this._policy = p ?? {};
    this._update();
  }

  sent(bytes: number): void {
    this.uploaded += bytes;
    this._update();
  }

  private _why(): string | null {
    const p = this._policy;
    if (!p) return 'no-policy';
    if (this._maxUploads < 1) return 'uploads-off';
    if (p.gpc !== 'ignore' && (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl) return 'gpc';
    if (p.budget_bytes! > 0 && this.uploaded >= p.budget_bytes!) return 'budget';
    if (p.when_hidden !== 'continue' && document.visibilityState === 'hidden') return 'hidden';
    return null;
  }

  private _update(): void {
    const was = this.open;
    this.paused = this._why();
    if (this.open !== was) this._changed(this.open);
  }
}
