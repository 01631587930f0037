-- 0006: an operator's pause of intake (AdminService.PauseIntake) outlives a restart. A pause
-- is an operator's stop; a node that crashed or was restarted by systemd must not take new
-- amounts again until an operator resumes it. One row while paused, none otherwise.
CREATE TABLE intake_pause (
    singleton boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    reason    text        NOT NULL,  -- the operator's own words, as given to PauseIntake
    since     timestamptz NOT NULL
);
