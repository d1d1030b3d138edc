namespace ImageBuilder.Operator.Reconciliation.Admission;

/// <summary>What <see cref="FairShare.Decide"/> says about one waiting build.</summary>
/// <param name="Admitted">True: it may start its Job now.</param>
/// <param name="Position">1-based place in the fair order of the waiting builds (1 starts next).</param>
/// <param name="HeldBy">Why it waits, when not admitted.</param>
/// <param name="Running">Slots in use (all users) when the decision was made.</param>
/// <param name="UserRunning">Slots in use by this build's user.</param>
/// <param name="BehindArriving">A slot it could have had goes to an arriving build ahead of it, which may yet need none.</param>
public sealed record AdmissionDecision(bool Admitted, int Position, SlotHold HeldBy, int Running, int UserRunning, bool BehindArriving = false);
