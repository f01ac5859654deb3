using Spectre.Console;

namespace NeuralPhotoEdit.Cli.Commands;

/// <summary>How long-running step loops (train, tune) show themselves: bars that stay on screen with
/// elapsed and remaining time, and log lines in grey between them.</summary>
static class StepProgress
{
    public static void Run(Action<ProgressContext> work) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(work);

    public static void Log(string message) => AnsiConsole.MarkupLineInterpolated($"[grey]{message}[/]");
}
