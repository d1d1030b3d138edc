namespace ImageBuilder.Operator.Options;

/// <summary>What start-up does when a queue already exists with other arguments than configured.</summary>
public enum QueueMismatchPolicy
{
    /// <summary>Stop with a message naming the queue and the difference.</summary>
    Fail,

    /// <summary>Use the existing queue as it is (declared passively).</summary>
    UseExisting,
}
