package dev.bulwark.stress.retry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.bulwark.retry.RetryBudget;
import dev.bulwark.retry.RetryBudget.Snapshot;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/** Racing withdrawals from a retry budget never take more retries than it holds. */
public final class RetryBudgetStress {
  private RetryBudgetStress() {}

  /** A budget holding exactly one retry, two withdrawals: exactly one succeeds. */
  @JCStressTest
  @Outcome(
      id = {"true, false", "false, true"},
      expect = ACCEPTABLE,
      desc = "exactly one wins")
  @Outcome(id = "true, true", expect = FORBIDDEN, desc = "one retry granted twice")
  @Outcome(id = "false, false", expect = FORBIDDEN, desc = "the retry was lost")
  @State
  public static class OneRetryTwoWithdrawals {
    private final RetryBudget budget = Budgets.holding(1, Budgets.frozen());

    @Actor
    public void first(ZZ_Result r) {
      r.r1 = budget.tryWithdraw();
    }

    @Actor
    public void second(ZZ_Result r) {
      r.r2 = budget.tryWithdraw();
    }
  }

  /**
   * One retry, two withdrawals that read the clock a bucket apart (the first bucket's cell is
   * sealed by the later withdrawal): still exactly one succeeds.
   */
  @JCStressTest
  @Outcome(
      id = {"true, false", "false, true"},
      expect = ACCEPTABLE,
      desc = "exactly one wins")
  @Outcome(id = "true, true", expect = FORBIDDEN, desc = "granted twice across buckets")
  @Outcome(id = "false, false", expect = FORBIDDEN, desc = "the retry was lost")
  @State
  public static class OneRetryWithdrawnFromTwoBuckets {
    private final RetryBudget budget = Budgets.holding(1, Budgets.steppingABucketPerReading());

    @Actor
    public void first(ZZ_Result r) {
      r.r1 = budget.tryWithdraw();
    }

    @Actor
    public void second(ZZ_Result r) {
      r.r2 = budget.tryWithdraw();
    }
  }

  /** Three retries, two callers asking twice each: exactly three requests win. */
  @JCStressTest
  @Outcome(
      id = {"2, 1", "1, 2"},
      expect = ACCEPTABLE,
      desc = "three of four win")
  @Outcome(id = "2, 2", expect = FORBIDDEN, desc = "four retries out of three")
  @Outcome(expect = FORBIDDEN, desc = "a retry was lost")
  @State
  public static class ThreeRetriesTwoGreedyCallers {
    private final RetryBudget budget = Budgets.holding(3, Budgets.frozen());

    @Actor
    public void first(II_Result r) {
      r.r1 = (budget.tryWithdraw() ? 1 : 0) + (budget.tryWithdraw() ? 1 : 0);
    }

    @Actor
    public void second(II_Result r) {
      r.r2 = (budget.tryWithdraw() ? 1 : 0) + (budget.tryWithdraw() ? 1 : 0);
    }
  }

  /**
   * A call deposited while a retry is asked for, at one retry per call: the retry is granted only
   * if it saw the call, and the budget ends counting exactly what happened.
   */
  @JCStressTest
  @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "the retry saw the call")
  @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "the retry came first: refused")
  @Outcome(expect = FORBIDDEN, desc = "a grant without a call, or a count lost")
  @State
  public static class DepositRacingWithdrawal {
    private final RetryBudget budget = Budgets.onePerCall();
    private boolean granted;

    @Actor
    public void call() {
      budget.deposit();
    }

    @Actor
    public void retry() {
      granted = budget.tryWithdraw();
    }

    @Arbiter
    public void counts(III_Result r) {
      Snapshot s = budget.snapshot();
      r.r1 = granted ? 1 : 0;
      r.r2 = (int) s.calls();
      r.r3 = (int) s.retries();
    }
  }
}
