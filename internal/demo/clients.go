package demo

import (
	"context"
	"fmt"

	"appointd/internal/booking"
)

var (
	firstNames = []string{"Anna", "Maria", "Elena", "Olga", "Irina", "Sofia", "Daria", "Ivan", "Pavel", "Sergey",
		"Анна", "Мария", "Екатерина", "Наталья", "Татьяна", "Алексей", "Дмитрий", "Михаил", "Julia", "Kate"}
	surnames = []string{"Ivanova", "Petrova", "Sidorova", "Kozlova", "Novikova", "Morozova", "Volkova", "Lebedeva",
		"Смирнова", "Кузнецова", "Попова", "Васильева", "Соколова", "Михайлова"}
)

// DemoClients is how many clients the demo seeds.
const DemoClients = 240

// seedClients adds DemoClients clients with fixed names and phones
// (+7 916 000 00 00 upwards), some with e-mail, birthday, discount.
func seedClients(ctx context.Context, svc *booking.Service, owner booking.Caller, locationID int64) (booking.Client, error) {
	rows := make([]booking.ClientInput, DemoClients)
	for i := range rows {
		name := firstNames[i%len(firstNames)]
		surname := surnames[(i/len(firstNames)+i)%len(surnames)]
		phone := fmt.Sprintf("+7916%07d", i)
		in := booking.ClientInput{Name: &name, Surname: &surname, Phone: &phone}
		if i%3 == 0 {
			email := fmt.Sprintf("client%d@example.test", i)
			in.Email = &email
		}
		if i%5 == 0 {
			birth := fmt.Sprintf("19%02d-%02d-%02d", 70+i%30, 1+i%12, 1+i%28)
			in.BirthDate = &birth
		}
		if i%10 == 0 {
			discount := int64(5 + i%3*5)
			in.Discount = &discount
		}
		rows[i] = in
	}
	created, refused, err := svc.BulkCreateClients(ctx, owner, locationID, rows)
	if err != nil {
		return booking.Client{}, err
	}
	if len(refused) > 0 || len(created) != DemoClients {
		return booking.Client{}, fmt.Errorf("demo clients: %d created, %d refused (%s)", len(created), len(refused), refused[0].Error)
	}
	return created[0], nil
}
