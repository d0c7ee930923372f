using ViTok.Training;

namespace ViTok.Tests.Training;

public class PhaseClockTests
{
    [Fact]
    public void PhasesAddUpAndOnlyClosedIntervalsCount()
    {
        // Arrange
        var clock = new PhaseClock();

        // Act
        clock.Enter(PhaseClock.Forward);
        Thread.Sleep(20);
        clock.Enter(PhaseClock.Backward);
        Thread.Sleep(20);
        clock.Enter(PhaseClock.Forward);
        Thread.Sleep(5);
        var open = clock.Seconds;
        clock.Stop();
        Thread.Sleep(20);
        var closed = clock.Seconds;

        // Assert: the running phase is not counted until closed; a stopped clock adds nothing
        Assert.Equal(new[] { PhaseClock.Backward, PhaseClock.Forward }, open.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.True(closed[PhaseClock.Forward] > open[PhaseClock.Forward]);
        Assert.Equal(open[PhaseClock.Backward], closed[PhaseClock.Backward]);
        Assert.True(closed[PhaseClock.Backward] >= 0.02 && closed[PhaseClock.Forward] >= 0.025);
        clock.Reset();
        Assert.Empty(clock.Seconds);
    }
}
