// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package caldav

import "errors"

func isNotFound(err error) bool           { return errors.Is(err, ErrNotFound) }
func isExists(err error) bool             { return errors.Is(err, ErrExists) }
func isPreconditionFailed(err error) bool { return errors.Is(err, ErrPreconditionFailed) }
