using NeuralPhotoEdit.Evaluation;

namespace NeuralPhotoEdit.Tests;

/// <summary><c>npe eval edits --against</c>: the paired difference between two models' edits and its
/// bootstrap interval.</summary>
public class EditComparisonTests
{
    static EditEvaluationResult Evaluation(string model, Func<int, double> fidelity, int edits = 100)
    {
        var perEdit = Enumerable.Range(0, edits)
            .Select(i => new ScoredEdit($"photo{i / 3}.jpg", $"kind {i % 3}", Scores(fidelity(i)), Scores(0.99), Scores(0.97)))
            .ToList();
        return new EditEvaluationResult(model, "data", edits, Scores(perEdit.Average(e => e.Neural.Fidelity)), Scores(0.99), Scores(0.97), perEdit);
    }

    static EditScores Scores(double fidelity) => new(fidelity, 0.95, 0.001, 0.2, 0);

    [Fact]
    public void AShiftOnEveryEditIsTheDifferenceWithNoSpread()
    {
        var result = EditComparison.Compare(Evaluation("a", i => 0.8 + 0.001 * i), Evaluation("b", i => 0.7 + 0.001 * i));
        var fidelity = result.Differences.Single(d => d.Metric == "fidelity");
        Assert.Equal(0.1, fidelity.Difference, 9);
        Assert.Equal(0.1, fidelity.Low, 9);
        Assert.Equal(0.1, fidelity.High, 9);
        var misaligned = result.Differences.Single(d => d.Metric == "misaligned");
        Assert.Equal((0.0, 0.0, 0.0), (misaligned.Difference, misaligned.Low, misaligned.High));
    }

    /// <summary>Differences of +0.1 and −0.1 in turn: mean 0, standard error 0.01, so the 95 % interval
    /// is about ±0.0196 round 0.</summary>
    [Fact]
    public void DifferencesThatCancelGiveAnIntervalAroundZeroAsWideAsTheirSpread()
    {
        var result = EditComparison.Compare(Evaluation("a", i => i % 2 == 0 ? 0.9 : 0.7), Evaluation("b", _ => 0.8));
        var fidelity = result.Differences.Single(d => d.Metric == "fidelity");
        Assert.Equal(0, fidelity.Difference, 9);
        Assert.InRange(fidelity.Low, -0.024, -0.016);
        Assert.InRange(fidelity.High, 0.016, 0.024);
    }

    [Fact]
    public void EditsOfDifferentStrokesAreRefused()
    {
        var other = Evaluation("b", _ => 0.8);
        var shuffled = other with { PerEdit = other.PerEdit.Reverse().ToList() };
        Assert.Throws<InvalidOperationException>(() => EditComparison.Compare(Evaluation("a", _ => 0.8), shuffled));
    }
}
