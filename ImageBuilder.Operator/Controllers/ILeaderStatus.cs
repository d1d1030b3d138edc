namespace ImageBuilder.Operator.Controllers;

/// <summary>Whether this replica currently holds the controller Lease (always true when leader election is off).</summary>
public interface ILeaderStatus
{
    bool IsLeader { get; }
}
