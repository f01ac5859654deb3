using PaintDotNet.AppModel;

namespace NeuralPhotoEdit.Plugin;

/// <summary>
/// Tells the user why the effect can't do what was asked, in Paint.NET's own error dialog
/// (<see cref="IExceptionDialogService"/> from the effect's services, owner-less, as real plugins call it
/// from their worker threads). A problem is shown when it appears, not again on every slider move while it
/// stands. Without that service (never in Paint.NET 5.1), the render path throws it instead, which Paint.NET
/// would show as a plugin error.
/// </summary>
sealed class ProblemDialog(Func<IServiceProvider> services)
{
    string? _shown;

    /// <summary>Shows <paramref name="problem"/> unless it is the one already shown; false when no dialog service exists.</summary>
    public bool Show(string problem)
    {
        if (services().GetService(typeof(IExceptionDialogService)) is not IExceptionDialogService dialog) return false;
        if (problem == _shown) return true;
        _shown = problem;
        dialog.ShowErrorDialog(null, problem, string.Empty);
        return true;
    }

    /// <summary>The settings work again: the next problem is news.</summary>
    public void Clear() => _shown = null;
}
